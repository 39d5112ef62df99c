import { describe, expect, it } from 'vitest';
import { serviceAddress } from './docker-target.js';

describe('where the load goes on Docker', () => {
  it('the bridge address on Linux, bypassing docker-proxy', () => {
    expect(serviceAddress('172.17.0.2', '32768', undefined, 'linux')).toBe('http://172.17.0.2:8080');
  });
  it('the published 127.0.0.1 port when asked, without a bridge address, or off Linux', () => {
    expect(serviceAddress('172.17.0.2', '32768', 'published', 'linux')).toBe('http://127.0.0.1:32768');
    expect(serviceAddress('', '32768', undefined, 'linux')).toBe('http://127.0.0.1:32768');
    expect(serviceAddress('172.17.0.2', '32768', undefined, 'darwin')).toBe('http://127.0.0.1:32768');
  });
});
