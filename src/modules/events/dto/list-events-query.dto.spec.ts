import { BadRequestException } from '@nestjs/common';
import { ContractValidationPipe, checkWithClassValidator } from '../../../common/pipes/validation';
import { ListEventsQueryDto } from './list-events-query.dto';

/** What the field decorators answer (class-transformer + class-validator, the pipe's reference). */
function byDecorators(q: Record<string, unknown>): { error: string } | { value: object } {
  try {
    return { value: { ...checkWithClassValidator(ListEventsQueryDto, q) } };
  } catch (e) {
    return { error: (e as BadRequestException).message };
  }
}

/** What the global pipe answers (the DTO's rules compiled once, run without class-transformer/class-validator). */
function byPipe(q: Record<string, unknown>): { error: string } | { value: object } {
  try {
    return { value: { ...(new ContractValidationPipe().transform(q, { type: 'query', metatype: ListEventsQueryDto }) as object) } };
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequestException);
    return { error: (e as BadRequestException).message };
  }
}

const UUID = '0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';

describe('GET /v1/events query: the pipe answers exactly as class-validator with the same decorators', () => {
  const cases: Record<string, unknown>[] = [
    {},
    { app_id: UUID, limit: '50', data_mode: 'all' },
    { team_id: UUID.toUpperCase(), project_id: UUID, level: 'error', user_id: 'u1', session_id: UUID, environment: 'ios' },
    { screen_name: 'Home', since: '2024-03-08T14:22:05.417Z', until: '2024-03-09', cursor: 'abc', unknown: 'x' },
    { team_id: 'nope' },
    { app_id: 'nope', level: 'loud' },
    { project_id: '123', session_id: 'x' },
    { level: 'loud', environment: 'mars' },
    { session_id: 'x', environment: 'mars' },
    { environment: 'mars', since: 'yesterday' },
    { since: 'yesterday', until: 'tomorrow' },
    { until: 'tomorrow', data_mode: 'prod' },
    { data_mode: 'prod', cursor: '!!', limit: '-1' },
    { level: 'Error' },
    { since: '2024-02-30T00:00:00Z' },
  ];
  it.each(cases.map((c) => [JSON.stringify(c), c]))('%s', (_name, q) => {
    expect(byPipe(q)).toEqual(byDecorators(q));
  });

  it('returns a DTO without unknown fields', () => {
    const out = new ContractValidationPipe().transform(
      { app_id: UUID, extra: 'x', level: '' },
      { type: 'query', metatype: ListEventsQueryDto },
    );
    expect(out).toBeInstanceOf(ListEventsQueryDto);
    expect({ ...(out as object) }).toEqual({ app_id: UUID });
  });
});
