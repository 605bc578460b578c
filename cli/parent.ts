// A process the local world starts (a validator, a signer) stops by itself when the world's process is gone —
// killed with SIGKILL, say — instead of running on as an orphan holding the world's ports. The world passes its
// process id in CAUSEWAY_PARENT_PID; nothing happens when the variable is absent. The `node` and `signer` commands
// call it, so it lives in cli/; regtest/world/up.ts imports the variable's name from here.
export const PARENT_PID_ENV = 'CAUSEWAY_PARENT_PID'

export function whenParentGone(stop: () => void, env: NodeJS.ProcessEnv = process.env, everyMs = 2_000): void {
  const pid = Number(env[PARENT_PID_ENV])
  if (!Number.isInteger(pid) || pid <= 0) return
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPERM') return // alive, someone else's
      clearInterval(timer)
      stop()
    }
  }, everyMs)
  timer.unref()
}
