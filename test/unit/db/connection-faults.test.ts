import { DatabaseError } from 'pg';
import { isDatabaseUnavailable } from '../../../db';

/** A server error as pg parses it off the wire. */
function serverError(code: string, message = 'server says no'): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });
}

describe('isDatabaseUnavailable: a lost or unreachable server, not a bad statement', () => {
  it.each([
    ['server shutting down (57P01 admin_shutdown)', serverError('57P01', 'terminating connection due to administrator command')],
    ['crash shutdown (57P02)', serverError('57P02')],
    ['server starting up (57P03 cannot_connect_now)', serverError('57P03', 'the database system is starting up')],
    ['connection exception (08006)', serverError('08006')],
    ['protocol violation (08P01)', serverError('08P01')],
    ['too many connections (53300)', serverError('53300')],
    ['statement timeout (57014)', serverError('57014', 'canceling statement due to statement timeout')],
    ['refused', systemError('ECONNREFUSED')],
    ['reset', systemError('ECONNRESET')],
    ['unresolvable host (for now)', systemError('EAI_AGAIN')],
    ['connection ended', new Error('Connection terminated unexpectedly')],
    ['connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['silent server', new Error('Query read timeout')],
    ['a client that already failed', new Error('Client has encountered a connection error and is not queryable')],
    ['every address refused', new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')])],
  ])('%s: unavailable', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['unique violation (23505)', serverError('23505', 'duplicate key value violates unique constraint')],
    ['bad input (22P02)', serverError('22P02', 'invalid input syntax for type uuid')],
    ['missing table (42P01)', serverError('42P01', 'relation "nope" does not exist')],
    ['deadlock (40P01)', serverError('40P01')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    // A provider call that failed is the provider's trouble, not the database's.
    ['a failed fetch', new TypeError('fetch failed', { cause: systemError('ECONNREFUSED') })],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s: not unavailable', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
