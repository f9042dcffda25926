// Names of what test commands create (scratch databases, files, markers):
// stairway_<run>_<target>[_<label>], where the run id ends with the process
// id, so `stairway clean` can tell a run still going from one that died.

const PREFIX = "stairway_";
const NAME = /^stairway_([0-9a-z]{11})_/;

/** 6 characters of time, then the pid (5, base 36). */
export function newRunId(): string {
  return Date.now().toString(36).slice(-6) + process.pid.toString(36).padStart(5, "0").slice(-5);
}

export function scratchName(runId: string, target: string, label = ""): string {
  return `${PREFIX}${runId}_${target}${label ? "_" + label : ""}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}

/** The run that made a scratch name (database, file), or undefined when it is not one. */
export function runOf(name: string): string | undefined {
  return NAME.exec(name)?.[1];
}

/** Whether the process that made `runId` still runs on this machine. */
export function runIsAlive(runId: string): boolean {
  const pid = parseInt(runId.slice(6, 11), 36);
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}
