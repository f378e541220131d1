import { UserIdSet } from './user-id-set';

describe('UserIdSet', () => {
  it('remembers the first line of every id through many resizes', () => {
    const set = new UserIdSet();
    for (let n = 0; n < 50_000; n++) expect(set.addOrGetFirstLine(`U${n}`, n + 2)).toBeUndefined();
    expect(set.size).toBe(50_000);
    for (let n = 0; n < 50_000; n += 997) expect(set.addOrGetFirstLine(`U${n}`, 999_999)).toBe(n + 2);
    expect(set.size).toBe(50_000);
  });

  it('compares exactly: prefixes, case and non-ASCII ids are distinct', () => {
    const set = new UserIdSet();
    for (const [id, line] of [
      ['ユーザ１', 2],
      ['ユーザ1', 3],
      ['U1', 4],
      ['u1', 5],
      ['U10', 6],
    ] as const) {
      expect(set.addOrGetFirstLine(id, line)).toBeUndefined();
    }
    expect(set.addOrGetFirstLine('ユーザ１', 9)).toBe(2);
    expect(set.addOrGetFirstLine('U1', 9)).toBe(4);
  });
});
