/**
 * StageSlots: stages of repositories under way never wait; a new repository starts only while
 * fewer than the limit run, in the order they asked; an abort while waiting takes the waiter
 * out of line without running it.
 */
import { describe, expect, it } from 'vitest';
import { StageSlots } from '../../../../src/services/stage/stage-slots.js';
import { gate } from '../../../support/wait.js';

const never = new AbortController().signal;

/** Lets queued promise callbacks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('StageSlots', () => {
  it('starts a new repository at once while fewer than the limit run', async () => {
    const slots = new StageSlots(2);
    const first = gate();
    const running = slots.startRepository(never, () => first.promise);
    const second = await slots.startRepository(never, async () => 'second ran');
    expect(second).toBe('second ran');
    expect(slots.running).toBe(1);
    first.open();
    await running;
    expect(slots.running).toBe(0);
  });

  it('lets a repository under way continue beyond the limit, and holds new ones until the count drops', async () => {
    const slots = new StageSlots(1);
    const task = gate();
    const started: string[] = [];
    const continuing = slots.continueRepository(async () => {
      started.push('task');
      await task.promise;
    });
    const alsoContinuing = slots.continueRepository(async () => {
      started.push('second task');
    });
    const fresh = slots.startRepository(never, async () => {
      started.push('new');
    });
    await settle();
    await alsoContinuing;
    expect(started).toEqual(['task', 'second task']);
    expect(slots.waiting).toBe(1);

    task.open();
    await continuing;
    await fresh;
    expect(started).toEqual(['task', 'second task', 'new']);
    expect(slots.running).toBe(0);
  });

  it('admits waiting repositories in the order they asked, each into a slot nobody else can take', async () => {
    const slots = new StageSlots(1);
    const hold = gate();
    const order: string[] = [];
    const holder = slots.startRepository(never, () => hold.promise);
    const waiters = ['a', 'b', 'c'].map((name) =>
      slots.startRepository(never, async () => {
        order.push(name);
        await settle();
        // One at a time: the limit holds for the admitted ones too.
        expect(slots.running).toBe(1);
      }),
    );
    await settle();
    expect(slots.waiting).toBe(3);
    hold.open();
    await holder;
    await Promise.all(waiters);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('gives a slot to the next waiter, not to a newcomer, when one frees', async () => {
    const slots = new StageSlots(1);
    const hold = gate();
    const order: string[] = [];
    const holder = slots.startRepository(never, () => hold.promise);
    const waiting = slots.startRepository(never, async () => {
      order.push('waited');
    });
    hold.open();
    await holder;
    // Arrives after the slot was handed over but before the waiter's callback ran.
    const newcomer = slots.startRepository(never, async () => {
      order.push('newcomer');
    });
    await Promise.all([waiting, newcomer]);
    expect(order).toEqual(['waited', 'newcomer']);
  });

  it('takes an aborted waiter out of line without running it, and frees the slot even when the work fails', async () => {
    const slots = new StageSlots(1);
    const hold = gate();
    const holder = slots.startRepository(never, async () => {
      await hold.promise;
      throw new Error('stage failed');
    });
    const controller = new AbortController();
    let ran = false;
    const aborted = slots.startRepository(controller.signal, async () => {
      ran = true;
    });
    await settle();
    controller.abort(new Error('partition revoked'));
    await expect(aborted).rejects.toThrow('partition revoked');
    expect(slots.waiting).toBe(0);

    hold.open();
    await expect(holder).rejects.toThrow('stage failed');
    expect(slots.running).toBe(0);
    expect(ran).toBe(false);
    await expect(slots.startRepository(never, async () => 'free again')).resolves.toBe('free again');
  });

  it('refuses an already aborted signal and a limit below one', async () => {
    const controller = new AbortController();
    controller.abort(new Error('closing'));
    await expect(new StageSlots(1).startRepository(controller.signal, async () => 'ran')).rejects.toThrow('closing');
    expect(() => new StageSlots(0)).toThrow(RangeError);
  });
});
