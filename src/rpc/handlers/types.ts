import type { CancellationToken } from 'vscode-jsonrpc/node';
import type { MethodName, ParsedParamsOf, ResultOf } from '@threadline/protocol';

export interface HandlerContext {
  token: CancellationToken;
}

export type Handler<M extends MethodName> = (
  params: ParsedParamsOf<M>,
  context: HandlerContext,
) => ResultOf<M> | Promise<ResultOf<M>>;

/** A handler for every method of the table: a missing one is a compile error. */
export type Handlers = { [M in MethodName]: Handler<M> };
export type HandlerGroup<M extends MethodName> = { [K in M]: Handler<K> };
