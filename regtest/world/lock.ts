// One world per data directory: `regtest up` holds `<datadir>/world.lock` (its process id) while it runs. A second
// start on a locked directory fails at once naming the holder; a lock left by a process that no longer exists
// (killed with SIGKILL, machine reset) is taken over.
import { openSync, writeSync, closeSync, readFileSync, rmSync } from 'node:fs'
import { CausewayError } from '../../spv/base/errors.js'

export interface WorldLock {
  release(): void
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export function lockWorld(file: string, pid = process.pid): WorldLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, `${pid}\n`)
      closeSync(fd)
      return {
        release: () => {
          try {
            if (readFileSync(file, 'utf8').trim() === String(pid)) rmSync(file, { force: true })
          } catch {
            // already gone
          }
        },
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new CausewayError('WORLD_LOCK_FAILED', `cannot create ${file}: ${(e as Error).message}`, { cause: e })
      let holder = NaN
      try {
        holder = Number(readFileSync(file, 'utf8').trim())
      } catch {
        // vanished between the two calls: try again
      }
      if (Number.isInteger(holder) && holder > 0 && holder !== pid && alive(holder)) {
        throw new CausewayError('WORLD_LOCKED', `the world in ${file.replace(/\/world\.lock$/, '')} is already running (process ${holder}); stop it with Ctrl-C, or give another --datadir`, {
          details: { pid: holder },
        })
      }
      rmSync(file, { force: true }) // stale: its process is gone
    }
  }
  throw new CausewayError('WORLD_LOCK_FAILED', `cannot take ${file}`)
}
