/**
 * cdktf entry point (cdktf.json "app"). Reads PLATFORM_ENV (a name in environments/, default dev,
 * or a path to a YAML file), validates the configuration before anything is written, and
 * synthesizes the bootstrap stack and one stack per enabled layer.
 */
import { App } from "cdktf";
import { exitOnConfigError, loadEnvironment, type LoadedConfig } from "./core/config/loader";
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
