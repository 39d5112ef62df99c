/**
 * Why kind's nodes run on podman here: Docker's `--privileged` asks the kernel for every capability, and
 * a container cannot be given one its host's bounding set lacks (these VMs lack CAP_SYS_RESOURCE), so
 * Docker fails where rootful podman, which grants the bounding set, runs. Read from /proc, not assumed.
 */
import { readFile } from 'node:fs/promises';

/** Linux capability names by number (capability.h), 0–40. */
const CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The capabilities 0…`lastCap` missing from a bounding set given as /proc's `CapBnd` hex. Pure. */
export function missingCapabilities(capBndHex: string, lastCap: number): string[] {
  const set = BigInt(`0x${capBndHex.trim()}`);
  const missing: string[] = [];
  for (let cap = 0; cap <= lastCap; cap++) if ((set & (1n << BigInt(cap))) === 0n) missing.push(CAPABILITIES[cap] ?? `capability ${cap}`);
  return missing;
}

/** What `bench doctor` says of kind's provider here, from this process's bounding set. */
export async function kindProviderReason(): Promise<string> {
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const lastCap = Number((await readFile('/proc/sys/kernel/cap_last_cap', 'utf8')).trim());
    const capBnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (capBnd === undefined || !Number.isInteger(lastCap)) throw new Error('no CapBnd');
    const missing = missingCapabilities(capBnd, lastCap);
    return missing.length > 0
      ? `podman: the bounding set lacks ${missing.join(', ')}, so Docker's --privileged (every capability) fails here; rootful podman grants the bounding set and runs the node image built here`
      : "podman for the node image built here; Docker could run kind's nodes on this machine (full bounding set): pass --node-image kindest/node:… to use Docker";
  } catch {
    return 'podman for the node image built here (the capability bounding set could not be read from /proc)';
  }
}
