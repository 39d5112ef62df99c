import { describe, expect, it } from 'vitest';
import { missingCapabilities } from './provider-check.js';

describe('missingCapabilities (why Docker --privileged fails where podman runs)', () => {
  it("names what these VMs' bounding set lacks: CAP_SYS_RESOURCE", () => {
    expect(missingCapabilities('000001fffeffffff', 40)).toEqual(['CAP_SYS_RESOURCE']);
  });
  it('nothing missing from a full set; only capabilities up to cap_last_cap count', () => {
    expect(missingCapabilities('000001ffffffffff', 40)).toEqual([]);
    expect(missingCapabilities('000000ffffffffff', 39)).toEqual([]);
    expect(missingCapabilities('000000ffffffffff', 40)).toEqual(['CAP_CHECKPOINT_RESTORE']);
  });
});
