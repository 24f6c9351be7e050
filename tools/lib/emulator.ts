/**
 * The rehearsal's emulator: a throwaway self-signed certificate for 127.0.0.1 (openssl), a free
 * loopback port, and moto's server behind tools/rehearse/emulator.py (TLS only, small documented
 * shims). Or an emulator the user already runs (`--endpoint`, e.g. LocalStack).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./terraform";

export interface Emulator {
  /** `https://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** CA bundle Terraform trusts for the endpoint (only the throwaway certificate), when we made one. */
  readonly caBundle?: string;
  /** The emulator's version line, when we started it. */
  readonly description: string;
  /** The emulator's process id, when we started it (its CPU time is read from /proc). */
  readonly pid?: number;
  /** Stops the emulator we started (no-op for an external one) and removes the temp dir. */
  stop(): void;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** openssl arguments for a self-signed certificate valid for 127.0.0.1 and localhost (two days). */
export function certificateArgs(keyFile: string, certFile: string): string[] {
  return [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    keyFile,
    "-out",
    certFile,
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
  ];
}

function python(): string {
  for (const p of ["python3", "python"]) {
    const r = spawnSync(p, ["-c", "import moto; print(moto.__version__)"], { encoding: "utf8" });
    if (r.status === 0) return p;
  }
  throw new Error(
    "moto is not installed for python3 (pip install 'moto[server]==5.2.1'), or pass --endpoint <url> of a running emulator (LocalStack)",
  );
}

/** Polls until the endpoint answers over TLS with the given CA (or the deadline passes). */
async function waitReady(endpoint: string, ca: Buffer, child: ChildProcess, log: () => string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the emulator exited (code ${child.exitCode}) before it answered:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = https.get(`${endpoint}/moto-api/`, { ca, timeout: 5000 }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the emulator did not answer at ${endpoint} within ${timeoutMs / 1000}s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Starts moto behind TLS on a free loopback port. `accountId` becomes the emulator's account
 * (MOTO_ACCOUNT_ID), so the provider's allowed_account_ids check passes as it would in the account.
 */
export async function startEmulator(opts: {
  accountId: string;
  /** Written with the emulator's pid while it runs (CI's exit trap reads it). */ pidFile?: string;
}): Promise<Emulator> {
  const py = python();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-rehearsal-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  const gen = spawnSync("openssl", certificateArgs(key, cert), { encoding: "utf8" });
  if (gen.status !== 0) throw new Error(`openssl could not make the emulator's certificate: ${gen.stderr || gen.error?.message}`);
  const port = await freePort();
  const endpoint = `https://127.0.0.1:${port}`;
  const logFile = path.join(dir, "emulator.log");
  const out = fs.openSync(logFile, "a");
  const env = { ...process.env, MOTO_ACCOUNT_ID: opts.accountId, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" };
  const child = spawn(
    py,
    [path.join(REPO_ROOT, "tools", "rehearse", "emulator.py"), "-H", "127.0.0.1", "-p", String(port), "-c", cert, "-k", key],
    {
      env,
      stdio: ["ignore", out, out],
      detached: false,
    },
  );
  if (opts.pidFile && child.pid) {
    fs.mkdirSync(path.dirname(opts.pidFile), { recursive: true });
    fs.writeFileSync(opts.pidFile, `${child.pid}\n`);
  }
  const log = () => {
    try {
      return fs.readFileSync(logFile, "utf8").split("\n").slice(-20).join("\n");
    } catch {
      return "";
    }
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(child.pid, "SIGTERM");
      } catch {
        // gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    if (opts.pidFile) fs.rmSync(opts.pidFile, { force: true });
  };
  process.on("exit", stop);
  try {
    await waitReady(endpoint, fs.readFileSync(cert), child, log);
  } catch (e) {
    stop();
    throw e;
  }
  const first =
    log()
      .split("\n")
      .find((l) => l.startsWith("emulator:")) ?? "emulator: moto";
  return { endpoint, caBundle: cert, description: first.replace(/^emulator: /, ""), pid: child.pid, stop };
}

/** An emulator the user runs; `caBundle` (or the caller's AWS_CA_BUNDLE) is what Terraform trusts. */
export function externalEmulator(endpoint: string, caBundle: string | undefined): Emulator {
  if (!/^https?:\/\/[^/]+$/.test(endpoint.replace(/\/$/, "")))
    throw new Error(`--endpoint ${endpoint}: expected a URL like https://127.0.0.1:4566`);
  return { endpoint: endpoint.replace(/\/$/, ""), caBundle, description: `external emulator at ${endpoint}`, stop: () => undefined };
}

/**
 * One call of an AWS JSON-protocol API (DynamoDB, SSM) on the emulator, as a user's script would
 * make it behind Terraform's back. The emulators do not check signatures; the Authorization header
 * only carries the region and service the request is for.
 */
export function awsJsonCall(
  emulator: Emulator,
  req: { service: string; region: string; target: string; body: unknown },
): Promise<{ status: number; body: string }> {
  const url = new URL(emulator.endpoint);
  const payload = JSON.stringify(req.body);
  const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const headers = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": req.target,
    "X-Amz-Date": amzDate,
    Authorization: `AWS4-HMAC-SHA256 Credential=rehearsal/${amzDate.slice(0, 8)}/${req.region}/${req.service}/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=0`,
    "Content-Length": Buffer.byteLength(payload),
  };
  const ca = emulator.caBundle ? fs.readFileSync(emulator.caBundle) : undefined;
  return new Promise((resolve, reject) => {
    const r = (url.protocol === "https:" ? https : http).request(
      { hostname: url.hostname, port: url.port, path: "/", method: "POST", headers, ca },
      (res: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    r.on("error", reject);
    r.end(payload);
  });
}

/** One call of a REST-XML API on the emulator (Route 53: global, signed for us-east-1). */
export function awsRestXmlCall(
  emulator: Emulator,
  req: { service: string; region: string; method: string; path: string; body: string },
): Promise<{ status: number; body: string }> {
  const url = new URL(emulator.endpoint);
  const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const headers = {
    "Content-Type": "application/xml",
    "X-Amz-Date": amzDate,
    Authorization: `AWS4-HMAC-SHA256 Credential=rehearsal/${amzDate.slice(0, 8)}/${req.region}/${req.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
    "Content-Length": Buffer.byteLength(req.body),
  };
  const ca = emulator.caBundle ? fs.readFileSync(emulator.caBundle) : undefined;
  return new Promise((resolve, reject) => {
    const r = (url.protocol === "https:" ? https : http).request(
      { hostname: url.hostname, port: url.port, path: req.path, method: req.method, headers, ca },
      (res: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}

/**
 * CPU milliseconds (user + sys) from /proc/<pid>/stat (Linux; undefined elsewhere): the process's
 * own, or (`children`) that of its children it has waited for, which for this tool is every
 * finished Terraform run with the provider processes Terraform itself waited for.
 */
export function processCpuMs(pid: number | "self" | undefined, opts: { children?: boolean } = {}): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // After "pid (comm) ": state is field 3, so utime/stime (14, 15) and cutime/cstime (16, 17) sit at 11..14.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const [a, b] = opts.children ? [f[13], f[14]] : [f[11], f[12]];
    return (Number(a) + Number(b)) * (1000 / CLOCK_TICKS);
  } catch {
    return undefined;
  }
}

/** USER_HZ of /proc's tick counts: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;
