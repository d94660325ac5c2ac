import type { CancellationToken } from 'vscode-jsonrpc/node';
import type { MethodName, ParsedParamsOf, ResultOf } from '@threadline/protocol';
import type { RawJson } from '@threadline/protocol/node';
import type { Peer } from '../../orchestrator/api.js';

export interface HandlerContext {
  token: CancellationToken;
  /** The connection the request came from: its approval client and its input backlog. */
  peer: Peer;
}

export type Handler<M extends MethodName> = (
  params: ParsedParamsOf<M>,
  context: HandlerContext,
) => Reply<M> | Promise<Reply<M>>;

/** A result object, or the same result already serialized (see RawJson). */
export type Reply<M extends MethodName> = ResultOf<M> | RawJson<ResultOf<M>>;

/** A handler for every method of the table: a missing one is a compile error. */
export type Handlers = { [M in MethodName]: Handler<M> };
export type HandlerGroup<M extends MethodName> = { [K in M]: Handler<K> };
