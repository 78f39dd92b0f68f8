import { describe, expect, it } from 'vitest';
import { onDemand } from './on-demand';

describe('code loaded on demand', () => {
  it('imports the module once, however often it is asked for', async () => {
    let imports = 0;
    const module = { name: 'viewer' };
    const chunk = onDemand(async () => {
      imports += 1;
      return module;
    });
    expect(imports).toBe(0);
    chunk.prefetch();
    expect(await chunk.load()).toBe(module);
    expect(await chunk.load()).toBe(module);
    expect(imports).toBe(1);
  });

  it('imports again after a failure (the network may be back)', async () => {
    let imports = 0;
    const chunk = onDemand(async () => {
      imports += 1;
      if (imports === 1) throw new Error('Failed to fetch dynamically imported module');
      return 'module';
    });
    chunk.prefetch();
    await expect(chunk.load()).rejects.toThrow('Failed to fetch');
    expect(await chunk.load()).toBe('module');
    expect(imports).toBe(2);
  });
});
