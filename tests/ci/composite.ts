// Runs the shell steps of a composite action (action.yml) on this machine the
// way a GitHub runner does: `bash --noprofile --norc -eo pipefail`, the step's
// env and working-directory, GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY
// files, and the runner's variables pointing into a temp dir. The only
// expressions it knows are `inputs.<name>` and `steps.<id>.outputs.<name>`; any
// other one is an error, so the action cannot grow one this runner would
// silently get wrong. `uses:` steps (actions/cache, upload-sarif) do not run
// here (they have no outputs); the test checks their conditions.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

export interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  "working-directory"?: string;
}

export interface Action {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function loadAction(path: string): Action {
  return parse(readFileSync(path, "utf8")) as Action;
}

export interface StepRun {
  name: string;
  id?: string;
  /** undefined for a `uses:` step, which is not run here. */
  code?: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

export interface ActionRun {
  steps: StepRun[];
  /** The first step that failed (the runner stops there), or undefined. */
  failed?: StepRun;
  outputs: Record<string, string>;
  summary: string;
  path: string[];
}

export interface RunOptions {
  /** The action's directory (GITHUB_ACTION_PATH). */
  actionPath: string;
  /** GITHUB_WORKSPACE, where steps without a working-directory run. */
  workspace: string;
  /** RUNNER_TEMP, RUNNER_TOOL_CACHE and the runner's files go under it. */
  runnerDir: string;
  inputs: Record<string, string>;
  env?: Record<string, string>;
}

export async function runComposite(action: Action, o: RunOptions): Promise<ActionRun> {
  for (const k of Object.keys(o.inputs)) if (!(k in action.inputs)) throw new Error(`the action has no input ${k}`);
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) inputs[k] = o.inputs[k] ?? v.default ?? "";
  const stepOutputs: Record<string, Record<string, string>> = {};
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
      let m = /^inputs\.([\w-]+)$/.exec(expr);
      if (m) {
        if (!(m[1]! in inputs)) throw new Error(`\${{ ${expr} }}: no such input`);
        return inputs[m[1]!]!;
      }
      m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (m) return stepOutputs[m[1]!]?.[m[2]!] ?? "";
      throw new Error(`\${{ ${expr} }} is an expression this runner does not evaluate`);
    });

  const dir = (p: string) => (mkdirSync(p, { recursive: true }), p);
  const files = { summary: join(dir(o.runnerDir), "step-summary.md"), path: join(o.runnerDir, "path") };
  writeFileSync(files.summary, "");
  writeFileSync(files.path, "");
  const base: Record<string, string> = {
    PATH: process.env.PATH!,
    HOME: dir(join(o.runnerDir, "home")),
    NO_PROXY: "127.0.0.1",
    no_proxy: "127.0.0.1",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_ACTION_PATH: o.actionPath,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_PATH: files.path,
    RUNNER_TEMP: dir(join(o.runnerDir, "temp")),
    RUNNER_TOOL_CACHE: dir(join(o.runnerDir, "tool-cache")),
    RUNNER_OS: process.platform === "darwin" ? "macOS" : "Linux",
    RUNNER_ARCH: process.arch === "arm64" ? "ARM64" : "X64",
    ...o.env,
  };

  const run: ActionRun = { steps: [], outputs: {}, summary: "", path: [] };
  for (const [i, step] of action.runs.steps.entries()) {
    const name = expand(step.name ?? `step ${i + 1}`);
    if (step.uses) {
      run.steps.push({ name, id: step.id, stdout: "", stderr: "", outputs: {} });
      continue;
    }
    if (step.if) throw new Error(`${name}: a run step with a condition (${step.if}) is not evaluated here`);
    if (step.shell !== "bash") throw new Error(`${name}: shell is ${step.shell}, not bash`);
    const script = join(o.runnerDir, `step-${i}.sh`);
    writeFileSync(script, step.run!);
    const output = join(o.runnerDir, `step-${i}.output`);
    writeFileSync(output, "");
    const env: Record<string, string> = { ...base, GITHUB_OUTPUT: output };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v));
    const cwd = resolve(o.workspace, expand(step["working-directory"] ?? "."));
    const p = Bun.spawn(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd,
      env,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
      p.exited,
    ]);
    const outputs: Record<string, string> = {};
    for (const line of readFileSync(output, "utf8").split("\n").filter(Boolean)) {
      const eq = line.indexOf("=");
      if (eq < 0) throw new Error(`${name}: GITHUB_OUTPUT line without "=": ${line}`);
      outputs[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (step.id) stepOutputs[step.id] = outputs;
    const result = { name, id: step.id, code, stdout, stderr, outputs };
    run.steps.push(result);
    if (code !== 0) {
      run.failed = result;
      break;
    }
  }
  for (const [k, v] of Object.entries(action.outputs ?? {})) run.outputs[k] = expand(v.value);
  run.summary = readFileSync(files.summary, "utf8");
  run.path = readFileSync(files.path, "utf8").split("\n").filter(Boolean);
  return run;
}
