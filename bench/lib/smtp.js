'use strict';
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');
const { SetupError } = require('./args');
const { log, sleep } = require('./util');

// ---------------------------------------------------------------------------------------------------------------
// SMTP sink (login codes)
// ---------------------------------------------------------------------------------------------------------------

class SmtpSink {
  constructor() {
    this.messages = [];
    this.server = null;
    this.port = 0;
  }
  async start(port = 0) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, cb) => {
        simpleParser(stream)
          .then((mail) => {
            const to = [mail.to].flat().flatMap((a) => (a ? a.value.map((v) => (v.address || '').toLowerCase()) : []));
            this.messages.push({ to, text: mail.text || '' });
            cb();
          })
          .catch(cb);
      },
    });
    this.server.on('error', (err) => log(`smtp sink error: ${err.message}`));
    await new Promise((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.port = this.server.server.address().port;
  }
  async codeFor(email, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const mail = [...this.messages].reverse().find((m) => m.to.includes(email));
      if (mail) {
        const m = /\b(\d{6})\b/.exec(mail.text);
        if (!m) throw new SetupError(`no 6-digit code in the mail to ${email}`);
        return m[1];
      }
      await sleep(100);
    }
    throw new SetupError(`no login mail for ${email} within ${timeoutMs / 1000} s`);
  }
  stop() {
    if (!this.server) return Promise.resolve();
    const s = this.server;
    this.server = null;
    return new Promise((resolve) => s.close(() => resolve()));
  }
}

module.exports = { SmtpSink };
