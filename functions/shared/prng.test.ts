import { mulberry32 } from './prng';

/**
 * Sample data and the fake orgs' records are generated from seeds: a change to the sequence
 * would silently change every fixture, so the first values are pinned.
 */
describe('mulberry32', () => {
  it('gives the same sequence for the same seed, in [0, 1)', () => {
    const next = mulberry32(20_260_401);
    expect([next(), next(), next()]).toEqual([0.46507471753284335, 0.8177711239550263, 0.19491523713804781]);
    const zero = mulberry32(0);
    expect([zero(), zero()]).toEqual([0.26642920868471265, 0.0003297457005828619]);
  });

  it('treats a seed as its unsigned 32 bits', () => {
    const negative = mulberry32(-1);
    const unsigned = mulberry32(0xffffffff);
    expect([negative(), negative()]).toEqual([unsigned(), unsigned()]);
  });
});
