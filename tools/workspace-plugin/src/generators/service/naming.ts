/**
 * The names one kebab-case word yields in the house style: `lab-result` → `LabResult` (classes),
 * `labResult` (values), `LAB_RESULT` (constants), `lab_result` (SQL), `lab-results` (routes, tables).
 */
export interface WordForms {
  readonly kebab: string;
  readonly pascal: string;
  readonly camel: string;
  readonly constant: string;
  readonly snake: string;
  readonly pluralKebab: string;
  readonly pluralPascal: string;
  readonly pluralSnake: string;
}

/** English plural good enough for route and table names (`referral` → `referrals`, `policy` → `policies`). */
export function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

export function wordForms(kebab: string): WordForms {
  const parts = kebab.split('-');
  const pascal = parts.map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
  const pluralKebab = plural(kebab);
  const pluralPascal = plural(pascal);
  return {
    kebab,
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    constant: parts.join('_').toUpperCase(),
    snake: parts.join('_'),
    pluralKebab,
    pluralPascal,
    pluralSnake: pluralKebab.replace(/-/g, '_'),
  };
}

/** `referral-service` → `referral`: the short name of files, classes, the database and the scope tag. */
export function shortName(app: string): string {
  return app.replace(/-service$/, '');
}
