#!/usr/bin/env node
/** `npx platform <verb> [layer] --env <env>`: the kit's command line (tools/cli.ts). */
"use strict";
require("../tools/register.js");
process.exitCode = require("../tools/cli.ts").main(process.argv.slice(2));
