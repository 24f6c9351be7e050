/**
 * cdktf entry point (cdktf.json "app"). Reads PLATFORM_ENV (a name in environments/, default dev,
 * or a path to a YAML file), validates the configuration before anything is written, and
 * synthesizes the bootstrap stack and one stack per enabled layer.
 */
import { App } from "cdktf";
import { exitOnConfigError, loadEnvironment, type LoadedConfig } from "./core/config/loader";
import { repairHclOutput } from "./core/hcl";
import { buildPlatform, validatePlatform } from "./core/platform";
import { PLATFORM } from "./layers";

let loaded: LoadedConfig;
try {
  loaded = loadEnvironment(process.env.PLATFORM_ENV);
} catch (e) {
  exitOnConfigError(e);
}
const app = new App();
validatePlatform(buildPlatform(app, loaded.config, PLATFORM));
app.synth();
// `cdktf synth --hcl` sets SYNTH_HCL_OUTPUT; cdktf's HCL needs one quoting repair (core/hcl.ts).
if (process.env.SYNTH_HCL_OUTPUT === "true") repairHclOutput(app.outdir);
