/**
 * A minimal pickle interpreter: the protocol-2 opcodes that torch.save emits for a state dict
 * (zip and legacy formats, Python 3 and Python 2 strings). Python objects map to JS values:
 * None -> null, bool, int -> number (bigint beyond 2^53), str -> string, tuple and list -> array,
 * dict -> Map. Classes and functions named by GLOBAL come from the caller (`findGlobal`), which
 * decides what REDUCE, NEWOBJ and BUILD make of them; anything else is refused.
 */
import { UserError } from '../errors.js';

/** What REDUCE or NEWOBJ may call: a class or function from `findGlobal`. */
export type PyCallable = (args: unknown[]) => unknown;

/** An object that BUILD may pass its state to (Python's __setstate__). */
export interface PyStateful {
  setState(state: unknown): void;
}

export interface PickleHooks {
  /** GLOBAL 'module name': return the JS stand-in, or throw a UserError for anything unexpected. */
  findGlobal(module: string, name: string): unknown;
  /** BINPERSID: torch's reference to a tensor storage kept outside the pickle. */
  persistentLoad(pid: unknown): unknown;
}

export interface Unpickled {
  value: unknown;
  /** Offset just past the STOP opcode: legacy torch files hold several pickles back to back. */
  end: number;
}

const MARK = Symbol('mark');

function isStateful(v: unknown): v is PyStateful {
  return typeof v === 'object' && v !== null && typeof (v as PyStateful).setState === 'function';
}

class Unpickler {
  private pos: number;
  private stack: unknown[] = [];
  private readonly memo = new Map<number, unknown>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly hooks: PickleHooks,
    private readonly label: string,
  ) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(problem: string): never {
    throw new UserError(`${this.label}: ${problem} (corrupt or unsupported pickle data)`);
  }

  private take(n: number): number {
    if (this.pos + n > this.bytes.length) this.fail('pickle data ends unexpectedly');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  private u8(): number {
    return this.bytes[this.take(1)];
  }

  private u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  private u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  private i32(): number {
    return this.view.getInt32(this.take(4), true);
  }

  private text(n: number, encoding: 'utf-8' | 'latin1'): string {
    const at = this.take(n);
    return new TextDecoder(encoding).decode(this.bytes.subarray(at, at + n));
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('unterminated GLOBAL name');
    return this.text(end - this.pos + 1, 'latin1').slice(0, -1);
  }

  /** LONG1: little-endian two's complement of n bytes. */
  private long(n: number): number | bigint {
    const at = this.take(n);
    let value = 0n;
    for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(this.bytes[at + i]);
    if (n > 0 && this.bytes[at + n - 1] & 0x80) value -= 1n << BigInt(8 * n);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  private pop(): unknown {
    if (this.stack.length === 0) this.fail('pickle stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (this.stack.length === 0) this.fail('pickle stack underflow');
    return this.stack[this.stack.length - 1];
  }

  /** Everything pushed since the last MARK, which is removed. */
  private popToMark(): unknown[] {
    const mark = this.stack.lastIndexOf(MARK);
    if (mark < 0) this.fail('pickle MARK missing');
    const items = this.stack.slice(mark + 1);
    this.stack.length = mark;
    return items;
  }

  private popN(n: number): unknown[] {
    if (this.stack.length < n) this.fail('pickle stack underflow');
    return this.stack.splice(this.stack.length - n, n);
  }

  private call(): void {
    const args = this.pop();
    const callable = this.pop();
    if (typeof callable !== 'function' || !Array.isArray(args)) this.fail('REDUCE on something that is not a known class or function');
    this.stack.push((callable as PyCallable)(args));
  }

  private build(): void {
    const state = this.pop();
    const target = this.top();
    if (!isStateful(target)) this.fail('BUILD on an object that takes no state');
    target.setState(state);
  }

  private setItems(items: unknown[]): void {
    const dict = this.top();
    if (!(dict instanceof Map)) this.fail('SETITEMS on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i], items[i + 1]);
  }

  private append(items: unknown[]): void {
    const list = this.top();
    if (!Array.isArray(list)) this.fail('APPENDS on something that is not a list');
    list.push(...items);
  }

  private memoGet(index: number): void {
    if (!this.memo.has(index)) this.fail(`pickle memo ${index} was never stored`);
    this.stack.push(this.memo.get(index));
  }

  run(): Unpickled {
    for (;;) {
      const at = this.pos;
      const op = this.u8();
      switch (op) {
        case 0x80: this.u8(); break; // PROTO n
        case 0x2e: return { value: this.pop(), end: this.pos }; // STOP
        case 0x28: this.stack.push(MARK); break; // MARK
        case 0x4e: this.stack.push(null); break; // NONE
        case 0x88: this.stack.push(true); break; // NEWTRUE
        case 0x89: this.stack.push(false); break; // NEWFALSE
        case 0x4b: this.stack.push(this.u8()); break; // BININT1
        case 0x4d: this.stack.push(this.u16()); break; // BININT2
        case 0x4a: this.stack.push(this.i32()); break; // BININT
        case 0x8a: this.stack.push(this.long(this.u8())); break; // LONG1
        case 0x47: this.stack.push(this.view.getFloat64(this.take(8), false)); break; // BINFLOAT (big-endian)
        case 0x58: this.stack.push(this.text(this.u32(), 'utf-8')); break; // BINUNICODE
        case 0x55: this.stack.push(this.text(this.u8(), 'latin1')); break; // SHORT_BINSTRING (Python 2 str)
        case 0x54: this.stack.push(this.text(this.i32(), 'latin1')); break; // BINSTRING (Python 2 str)
        case 0x29: this.stack.push([]); break; // EMPTY_TUPLE
        case 0x85: this.stack.push(this.popN(1)); break; // TUPLE1
        case 0x86: this.stack.push(this.popN(2)); break; // TUPLE2
        case 0x87: this.stack.push(this.popN(3)); break; // TUPLE3
        case 0x74: this.stack.push(this.popToMark()); break; // TUPLE
        case 0x5d: this.stack.push([]); break; // EMPTY_LIST
        case 0x61: this.append(this.popN(1)); break; // APPEND
        case 0x65: this.append(this.popToMark()); break; // APPENDS
        case 0x7d: this.stack.push(new Map()); break; // EMPTY_DICT
        case 0x73: this.setItems(this.popN(2)); break; // SETITEM
        case 0x75: this.setItems(this.popToMark()); break; // SETITEMS
        case 0x71: this.memo.set(this.u8(), this.top()); break; // BINPUT
        case 0x72: this.memo.set(this.u32(), this.top()); break; // LONG_BINPUT
        case 0x68: this.memoGet(this.u8()); break; // BINGET
        case 0x6a: this.memoGet(this.u32()); break; // LONG_BINGET
        case 0x63: this.stack.push(this.hooks.findGlobal(this.line(), this.line())); break; // GLOBAL
        case 0x52: this.call(); break; // REDUCE
        case 0x81: this.call(); break; // NEWOBJ: cls.__new__(cls, *args), the same to our stand-ins
        case 0x62: this.build(); break; // BUILD
        case 0x51: this.stack.push(this.hooks.persistentLoad(this.pop())); break; // BINPERSID
        default:
          this.fail(`pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} is not supported`);
      }
    }
  }
}

/** Runs one pickle starting at `start`; `label` names the file in errors. */
export function unpickle(bytes: Uint8Array, start: number, hooks: PickleHooks, label: string): Unpickled {
  return new Unpickler(bytes, start, hooks, label).run();
}
