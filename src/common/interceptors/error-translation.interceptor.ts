import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, catchError, throwError } from 'rxjs';
import { ConstraintAnswers, translateDbError } from '../errors/db-errors';

/** DI token: the merged constraint → text table (app.module gathers each module's part). */
export const CONSTRAINT_ANSWERS = Symbol('CONSTRAINT_ANSWERS');

/**
 * The interceptor of the filter/interceptor pair: on the handler path it turns database and persistence
 * errors into the contract's HTTP exceptions (translateDbError), which the one filter then writes. Guards'
 * errors never pass here, and need not: they throw HTTP exceptions themselves.
 */
@Injectable()
export class ErrorTranslationInterceptor implements NestInterceptor {
  constructor(@Inject(CONSTRAINT_ANSWERS) private readonly answers: ConstraintAnswers) {}

  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((err: unknown) => throwError(() => translateDbError(err, this.answers) ?? err)));
  }
}
