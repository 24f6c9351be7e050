/**
 * npm run diff:all [-- --env <name|file>] [--dry-run] [--json]
 *
 * `npx cdktf diff <stack>` for bootstrap and every enabled layer, in layer order.
 */
import { runStacksInOrder } from "./lib/in-order";

runStacksInOrder("diff", process.argv.slice(2));
