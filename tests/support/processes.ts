/**
 * Whether `pid` runs: a zombie whose parent died (and that nobody reaps here) does not.
 *
 * @example
 * Deno.kill(pid, "SIGKILL");
 * processRuns(pid); // false
 */
export function processRuns(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
