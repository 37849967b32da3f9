'use strict';
// The emulator's control API (README, "Control API"): clock, outbox, pushes.

const crypto = require('node:crypto');

const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
const PASSWORD = 'Sup3r-Secret!';

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`bad base32 character ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238: SHA-1, 6 digits, 30 s steps, at `now` (seconds since the epoch). */
function totp(now, secret = TOTP_SECRET) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30)));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const bin = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(bin % 1_000_000).padStart(6, '0');
}

class Emulator {
  constructor(base) {
    this.base = base;
  }

  async call(method, path, body) {
    const res = await fetch(`${this.base}/emulator${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /emulator${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async now() {
    return (await this.call('GET', '/clock')).now;
  }

  /** Moves the emulator's clock, which the portal shares (never sleep for an expiry). */
  advance(seconds) {
    return this.call('POST', '/clock', { advance_seconds: seconds });
  }

  outbox(user) {
    return this.call('GET', `/outbox?user=${encodeURIComponent(user)}`);
  }

  pushes(user) {
    return this.call('GET', `/pushes?user=${encodeURIComponent(user)}`);
  }

  approve(id, number) {
    return this.call('POST', `/pushes/${encodeURIComponent(id)}/approve`, number === undefined ? {} : { number });
  }

  deny(id) {
    return this.call('POST', `/pushes/${encodeURIComponent(id)}/deny`, {});
  }

  /** How many `/token` requests for `user` reached the emulator: every grant, polls included. */
  async tokenRequests(user) {
    const status = await this.call('GET', `/users/${encodeURIComponent(user)}`);
    return status.token_traffic ? status.token_traffic.token_requests : 0;
  }

  /** A TOTP code for a time step no earlier test has used (the emulator refuses replays). */
  async freshTotp() {
    await this.advance(30);
    return totp(await this.now());
  }

  /** Waits (polling, bounded) for something the emulator received. */
  async eventually(what, fn, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await fn();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The newest code sent to `user` at or after `after`; by `channel` (sms, voice, email) if given. */
  async latestCode(user, { after = 0, channel } = {}) {
    return this.eventually(`a ${channel || ''} code in ${user}'s outbox`, async () => {
      const [latest] = await this.outbox(user);
      if (!latest || latest.sent_at < after) return null;
      if (channel && latest.channel !== channel) {
        throw new Error(`the newest message to ${user} came by ${latest.channel}, not ${channel}`);
      }
      return latest.code;
    });
  }

  async pendingPush(user) {
    return this.eventually(`a push for ${user}`, async () => (await this.pushes(user))[0]);
  }
}

module.exports = { Emulator, totp, base32Decode, TOTP_SECRET, PASSWORD };
