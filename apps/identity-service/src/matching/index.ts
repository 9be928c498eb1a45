export * from './jaro-winkler';
export * from './match-config';
export * from './match-record';
export * from './score-candidate';
export * from './match-decision';
export * from './blocking-keys';
