import { jaroWinkler } from './jaro-winkler';

describe('jaroWinkler', () => {
  it('matches the textbook values', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 2);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.813, 3);
  });
  it('handles identity, empties and disjoint strings', () => {
    expect(jaroWinkler('HUONG', 'HUONG')).toBe(1);
    expect(jaroWinkler('', '')).toBe(0);
    expect(jaroWinkler('AN', '')).toBe(0);
    expect(jaroWinkler('AN', 'LY')).toBe(0);
  });
  it('is symmetric', () => {
    expect(jaroWinkler('NGUYEN', 'NGUYNE')).toBeCloseTo(jaroWinkler('NGUYNE', 'NGUYEN'), 10);
  });
  it('scores one-letter slips in Vietnamese given names high', () => {
    expect(jaroWinkler('PHUONG', 'PHUONH')).toBeGreaterThan(0.92);
    expect(jaroWinkler('THANH', 'THANG')).toBeGreaterThan(0.9);
  });
});
