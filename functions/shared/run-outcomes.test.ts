import { functionErrorOutcome, isSyncInvocation, thrownErrorPayload } from './run-outcomes';

describe('isSyncInvocation', () => {
  it('is the payload marker of a synchronous invoke, never an EventBridge event', () => {
    expect(isSyncInvocation({ source: 'make' })).toBe(true);
    expect(isSyncInvocation({ source: 'make', channelIds: ['UC1'] })).toBe(true);
    // The same Source on an event: EventBridge invokes asynchronously.
    expect(isSyncInvocation({ source: 'make', 'detail-type': 'manual-trigger', detail: {} })).toBe(false);
    for (const payload of [{}, { source: 'schedule' }, { date: '2026-11-30' }, null, undefined, 'make'])
      expect(isSyncInvocation(payload)).toBe(false);
  });
});

describe('functionErrorOutcome of a thrown error', () => {
  it("is what the recorder derives from Lambda's error payload: FAILED, or TIMED_OUT for a timeout", () => {
    class SourceUnavailableError extends Error {
      override name = 'SourceUnavailableError';
    }
    const otherwise = { name: 'Unhandled', message: '' };
    expect(
      functionErrorOutcome(thrownErrorPayload(new SourceUnavailableError('connect ETIMEDOUT')), otherwise),
    ).toEqual({ status: 'FAILED', error: { name: 'SourceUnavailableError', message: 'connect ETIMEDOUT' } });
    expect(functionErrorOutcome(thrownErrorPayload('plain text'), otherwise)).toEqual({
      status: 'FAILED',
      error: { name: 'string', message: 'plain text' },
    });
    expect(
      functionErrorOutcome({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out' }, otherwise),
    ).toMatchObject({ status: 'TIMED_OUT', error: { name: 'Sandbox.Timedout' } });
    expect(functionErrorOutcome(undefined, otherwise)).toEqual({ status: 'FAILED', error: otherwise });
  });
});
