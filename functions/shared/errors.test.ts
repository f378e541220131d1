import {
  classifyDatabaseError,
  DatabaseTransientError,
  InputValidationError,
  PermanentError,
  TransientError,
} from './errors';

describe('typed errors', () => {
  it('keeps names that Step Functions can match', () => {
    expect(new DatabaseTransientError('x').name).toBe('DatabaseTransientError');
    expect(new DatabaseTransientError('x')).toBeInstanceOf(TransientError);
    expect(
      new InputValidationError('bad', { file: 'a.csv', line: 3, field: 'ユーザーID' }).details.line,
    ).toBe(3);
    expect(new InputValidationError('bad')).toBeInstanceOf(PermanentError);
  });

  it.each([
    ['08006', 'connection failure'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['57P01', 'admin shutdown'],
    ['ECONNRESET', 'socket reset'],
  ])('classifies %s (%s) as transient', (code, message) => {
    const error = Object.assign(new Error(message), { code });
    expect(classifyDatabaseError(error).name).toBe('DatabaseTransientError');
  });

  it('leaves constraint violations alone', () => {
    const error = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect(classifyDatabaseError(error)).toBe(error);
  });

  it('recognises a connection dropped mid-query', () => {
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly')).name).toBe(
      'DatabaseTransientError',
    );
  });
});
