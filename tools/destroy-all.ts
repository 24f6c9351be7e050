/**
 * npm run destroy:all [-- --env <name|file>] [--from <stack>] [--auto-approve] [--include-bootstrap] [--dry-run] [--json]
 *
 * Destroys one environment's layers in reverse layer order, one `npx cdktf destroy <stack>` at a
 * time, stopping at the first failure (a layer guarded by prevent_destroy refuses, as it should).
 * The bootstrap stack stays unless --include-bootstrap.
 */
import { runStacksInOrder } from "./lib/in-order";

runStacksInOrder("destroy", process.argv.slice(2));
