import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });
  it('stays in range', () => {
    const r = new SeededRandom(1);
    for (let i = 0; i < 1000; i += 1) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      const n = r.int(3, 5);
      expect([3, 4, 5]).toContain(n);
    }
    expect(r.digits(6)).toMatch(/^[0-9]{6}$/);
  });
  it('draws by weight', () => {
    const r = new SeededRandom(7);
    let heavy = 0;
    for (let i = 0; i < 2000; i += 1) if (r.weighted(['a', 'b'], (x) => (x === 'a' ? 9 : 1)) === 'a') heavy += 1;
    expect(heavy / 2000).toBeGreaterThan(0.85);
    expect(heavy / 2000).toBeLessThan(0.95);
  });
  it('forks independent but reproducible streams', () => {
    const x = new SeededRandom(5).fork('variants').next();
    expect(new SeededRandom(5).fork('variants').next()).toBe(x);
    expect(new SeededRandom(5).fork('other').next()).not.toBe(x);
  });
  it('shuffles without losing items and refuses empty picks', () => {
    const r = new SeededRandom(9);
    expect(r.shuffle([1, 2, 3, 4]).sort()).toEqual([1, 2, 3, 4]);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});
