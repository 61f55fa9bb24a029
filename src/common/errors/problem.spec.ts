import { DomainError, ErrorCode } from './domain-error';
import { toProblem } from './problem';

describe('toProblem', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
  const storeDown = (error: unknown) => error === refused;

  it('answers 503 for an error the store outage test recognises, and 500 for any other', () => {
    expect(toProblem(refused, storeDown)).toEqual({
      type: 'https://contact-gateway.dev/problems/store-unavailable', title: 'Service Unavailable', status: 503,
      detail: 'the store is unavailable; retry shortly',
    });
    expect(toProblem(new Error('boom'), storeDown)).toMatchObject({ status: 500 });
    // The test is storage's to make: common/ itself knows no driver error codes.
    expect(toProblem(refused, () => false)).toMatchObject({ status: 500 });
  });

  it('maps a DomainError by its code before asking the outage test', () => {
    const asked: unknown[] = [];
    const problem = toProblem(new DomainError(ErrorCode.NotFound, 'no such call'), (e) => { asked.push(e); return true; });
    expect(problem).toMatchObject({ status: 404, detail: 'no such call' });
    expect(asked).toEqual([]);
  });
});
