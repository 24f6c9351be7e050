/**
 * npm run deploy:all [-- --env <name|file>] [--from <stack>] [--auto-approve] [--dry-run] [--json] [-- <cdktf deploy args>]
 *
 * Deploys one environment completely: the bootstrap stack, then every enabled layer in registry
 * order, one at a time (never in parallel: a layer must not race the layers it reads), each with
 * `npx cdktf deploy <stack>`. Arguments after a second `--` go to every cdktf deploy. Stops at the
 * first failure and prints the command that resumes there (`--from <stack>`). `--dry-run` prints
 * the commands without running them.
 */
import { runStacksInOrder } from "./lib/in-order";

runStacksInOrder("deploy", process.argv.slice(2));
