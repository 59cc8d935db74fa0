/**
 * A write handle for unit tests of one module, whose writes then autocommit statement by
 * statement. Never for server code: there, writes go through the writer or `directWrite`.
 */
import { batchTx, type WriteTx } from '../storage/tx.ts';

export function autocommitTx(): WriteTx {
  return batchTx();
}
