import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Request, Response } from 'express';
import { errorHandler } from '../../../api/errors';
import { unsafeInputIssues } from '../../../api/input-guard';
import { MAX_JSON_DEPTH } from '../../../lib/storable';

describe('the input guard', () => {
  it('names each field holding what cannot be stored, and prototype keys', () => {
    const body = JSON.parse('{"reason":"a\\u0000b","settings":{"__proto__":{"x":1},"ok":"fine","list":["\\ud800"]},"k\\u0000":1,"constructor":2}');
    expect(unsafeInputIssues(body).map((issue) => issue.path)).toEqual(['reason', 'settings.__proto__', 'settings.list.0', 'k\u0000', 'constructor']);
    expect(unsafeInputIssues({ cursor: 'x\u0000' }, ['query'])).toEqual([{ path: 'query.cursor', message: expect.stringContaining('U+0000') }]);
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels without walking all of it`, () => {
    const deep = JSON.parse(`{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const [issue, ...others] = unsafeInputIssues(deep);
    expect(others).toEqual([]);
    expect(issue.message).toBe(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(issue.path.split('.')).toHaveLength(MAX_JSON_DEPTH);
    expect(issue.path.startsWith('data.0.0')).toBe(true);
  });

  it('accepts ordinary input, emoji included', () => {
    expect(unsafeInputIssues({ name: 'Acme 🎉', n: [1, { ok: true }] })).toEqual([]);
  });
});

describe('a lifecycle update the workflow refused', () => {
  const answer = (error: unknown) => {
    const sent: { status?: number; body?: any } = {};
    const res = { status: (code: number) => ((sent.status = code), res), json: (body: unknown) => ((sent.body = body), res) } as unknown as Response;
    errorHandler(error, { method: 'POST', path: '/v1/integrations/int_1/pause' } as Request, res, () => undefined);
    return sent;
  };

  it('is a 409 when illegal in its state, a 422 with the reason when its data was refused', () => {
    expect(answer(new WorkflowUpdateFailedError('failed', ApplicationFailure.nonRetryable('cannot pause', 'IllegalTransition')))).toMatchObject({ status: 409, body: { error: { code: 'illegal_transition' } } });
    expect(answer(new WorkflowUpdateFailedError('failed', ApplicationFailure.nonRetryable('could not record pause: invalid byte sequence', 'RequestRejected')))).toEqual({
      status: 422,
      body: { error: { code: 'request_rejected', message: 'could not record pause: invalid byte sequence' } },
    });
  });
});
