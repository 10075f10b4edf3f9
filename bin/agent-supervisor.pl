#!/usr/bin/perl
# The agent supervisor, in Perl: the same contract as bin/agent-supervisor.js for about a tenth
# of its CPU (~5 ms a launch: Perl starts in ~2 ms, Node in ~50). src/activities/spawn-agent.ts
# starts this file with perl when this host has one, and the Node supervisor otherwise.
#
# The worker starts it detached (a session and process group of its own), with an empty
# environment, stdout and stderr on the attempt log, the launch spec on stdin and a reply pipe on
# fd 3. The spec is NUL-separated (argv and environment entries cannot hold a NUL; the worker uses
# the Node supervisor when one does):
#
#   agent-fanout-supervisor/1, record path, record head, exit path, exit head, deadline ms,
#   grace ms, setsid syscall number, gettimeofday syscall number, cwd, argc, argv..., envc,
#   "NAME=value"..., end
#
# The record and exit heads are the worker's JSON (two-space indent) without their closing brace;
# this process appends its own fields. It then:
#
# 1. starts the agent's argv as given (execvp, no shell), cwd and environment from the spec, stdin
#    at /dev/null, stdout and stderr inherited (the log), in a new session and process group that
#    the agent leads; a start failure (ENOENT, EACCES, ...) is told apart from an exit code through
#    a close-on-exec pipe, and is written to the exit file as `spawnError`;
# 2. writes the attempt record (`logs/attempt-<n>.json`) atomically *before* it tells the worker the
#    pid on fd 3 (`started <pid>`), then closes fd 3: the worker may die from then on;
# 3. waits for the agent and writes `logs/attempt-<n>.exit.json` (`code`, `signal`, `stoppedBy`)
#    atomically, then exits with the agent's status (the same code, or the same signal);
# 4. as a last resort when no worker follows the agent any more, stops the agent's group once it
#    runs past the deadline it was given, SIGTERM then SIGKILL after the grace, and records
#    `stoppedBy: "deadline"`.
#
# It loads no module (POSIX alone costs 20 ms of start-up; setsid and the clock are syscalls) and
# prints nothing: anything on stdout or stderr would land in the agent's log.
#
# Launcher mode (`--launcher <setsid syscall number>`): one long-lived process per worker forks a
# supervisor per launch, so the worker forks nothing itself: a fork copies the page tables of all
# its resident memory, about 5 ms of blocked event loop per launch at a worker's usual 250 MB,
# where this process forks in a fraction of a millisecond. Requests on stdin, each
# `<id> <bytes>\n` and then that many bytes: the attempt log's path, a NUL, the launch spec above.
# The forked child becomes the supervisor of that launch: a session of its own (as the worker's
# `detached` gives the single one), stdout and stderr on the log, and its answer on the shared
# fd 3 as one line tagged `<id> `. The launcher adds `<id> reaped` once that supervisor exited.
# Lines are single writes under PIPE_BUF, so they never interleave. At the end of its stdin (the
# worker is gone) the launcher exits; the supervisors it started go on and keep their contract.
use strict;

# A worker that went away must not kill this process through the reply pipe.
$SIG{PIPE} = 'IGNORE';

# Linux signal numbers (x86_64 and arm64 alike), as Node names them.
my @SIGNALS = (
  undef, qw(SIGHUP SIGINT SIGQUIT SIGILL SIGTRAP SIGABRT SIGBUS SIGFPE SIGKILL SIGUSR1 SIGSEGV
    SIGUSR2 SIGPIPE SIGALRM SIGTERM SIGSTKFLT SIGCHLD SIGCONT SIGSTOP SIGTSTP SIGTTIN SIGTTOU SIGURG
    SIGXCPU SIGXFSZ SIGVTALRM SIGPROF SIGWINCH SIGIO SIGPWR SIGSYS),
);
my $WNOHANG = 1;
# Perl runs a signal handler between ops, not when the signal lands: a SIGCHLD that arrives after
# the last waitpid and just before select() only gets its handler (which writes the wake-up pipe)
# once select() returns. So no wait for a child's end sleeps longer than this; such a lost wake-up
# (about 1 in 5,000 waits, measured) then costs a quarter of a second instead of a hang.
my $MAX_WAIT_S = 0.25;

# Where the answer goes, and the tag it starts with.
my ($reply, $replyTag, $spec);
if (@ARGV >= 2 && $ARGV[0] eq '--launcher') {
  ($reply, $replyTag, $spec) = serve_launches($ARGV[1]);    # returns in a forked supervisor only
} else {
  open($reply, '>&=', 3) or exit 1;
  $replyTag = '';
  binmode STDIN;
  $spec = do { local $/; <STDIN> };
}
# A worker that died before it sent the whole spec: there is nothing to do.
exit 0 unless defined $spec;
my @spec = split /\0/, $spec, -1;
exit 0 unless @spec > 12 && $spec[-1] eq 'end';
open(STDIN, '<', '/dev/null');

my (undef, $recordPath, $recordHead, $exitPath, $exitHead, $deadlineMs, $graceMs, $sysSetsid, $sysClock, $cwd) =
  @spec;
my $argc = $spec[10];
my @argv = @spec[11 .. 10 + $argc];
my $envc = $spec[11 + $argc];
my @env = @spec[12 + $argc .. 11 + $argc + $envc];
if ($spec[0] ne 'agent-fanout-supervisor/1' || $argc < 1 || 13 + $argc + $envc != @spec) {
  tell_worker('launch-failed ' . json_string('malformed launch spec'));
  exit 1;
}

sub tell_worker {
  my ($line) = @_;
  if ($reply) {
    syswrite($reply, "$replyTag$line\n");
    close $reply;
    undef $reply;
  }
}

sub json_string {
  my ($text) = @_;
  $text =~ s/(["\\])/\\$1/g;
  $text =~ s/([\x00-\x1f])/sprintf('\\u%04x', ord $1)/ge;
  return "\"$text\"";
}

sub json_or_null { defined $_[0] ? json_string($_[0]) : 'null' }

# The launcher's loop; see "Launcher mode" above. Returns only in a child, as that launch's
# supervisor: (reply handle, tag, spec).
sub serve_launches {
  my ($sysSetsid) = @_;
  open(my $out, '>&=', 3) or exit 1;
  binmode STDIN;
  pipe(my $wakeRead, my $wakeWrite) or exit 1;
  $SIG{CHLD} = sub { syswrite($wakeWrite, 'x') };
  my %requestOf;    # supervisor pid => request id
  my $buffer = '';
  for (;;) {
    while ((my $ended = waitpid(-1, $WNOHANG)) > 0) {
      my $id = delete $requestOf{$ended};
      syswrite($out, "$id reaped\n") if defined $id;
    }
    if ($buffer =~ /\A(\d+) (\d+)\n/) {
      my ($id, $size, $headSize) = ($1, $2, length($1) + length($2) + 2);
      if (length($buffer) >= $headSize + $size) {
        my $request = substr($buffer, $headSize, $size);
        substr($buffer, 0, $headSize + $size) = '';
        my $pid = fork();
        if (!defined $pid) {
          syswrite($out, "$id launch-failed " . json_string("fork: $!") . "\n");
        } elsif ($pid == 0) {
          $SIG{CHLD} = 'DEFAULT';
          close $wakeRead;
          close $wakeWrite;
          my ($logPath, $launchSpec) = split /\0/, $request, 2;
          syscall($sysSetsid + 0);
          unless (open(STDOUT, '>>', $logPath) && open(STDERR, '>&', \*STDOUT)) {
            syswrite($out, "$id launch-failed " . json_string("could not open $logPath: $!") . "\n");
            exit 1;
          }
          return ($out, "$id ", $launchSpec);
        } else {
          $requestOf{$pid} = $id;
        }
        next;
      }
    } elsif ($buffer =~ /\n/ || length($buffer) > 64) {
      exit 2;    # not a request header: this is no worker of ours
    }
    my $ready = '';
    vec($ready, fileno(STDIN), 1) = 1;
    vec($ready, fileno($wakeRead), 1) = 1;
    next if select(my $readable = $ready, undef, undef, $MAX_WAIT_S) <= 0;    # a signal or a tick: reap
    sysread($wakeRead, my $drained, 64) if vec($readable, fileno($wakeRead), 1);
    if (vec($readable, fileno(STDIN), 1)) {
      my $got = sysread(STDIN, $buffer, 65536, length $buffer);
      exit 0 if defined $got && $got == 0;    # the worker is gone
      exit 0 if !defined $got && $! != 4;      # a read error other than EINTR
    }
  }
}

# Writes `text` to `path` through a rename, so a reader never sees half a file.
sub write_atomic {
  my ($path, $text) = @_;
  my $temporary = "$path.$$.tmp";
  open(my $file, '>', $temporary) or return 0;
  print {$file} $text or return 0;
  close $file or return 0;
  rename($temporary, $path) or return 0;
  return 1;
}

# Field 22 of /proc/<pid>/stat (start time in clock ticks after boot), or undef.
sub start_ticks {
  my ($pid) = @_;
  open(my $file, '<', "/proc/$pid/stat") or return undef;
  my $stat = <$file>;
  return undef unless defined $stat;
  return (split / /, substr($stat, rindex($stat, ')') + 2))[19];
}

# Wall-clock ms (gettimeofday: Time::HiRes is not in every Perl install).
sub now_ms {
  my $timeval = "\0" x 16;
  return time() * 1000 if syscall($sysClock + 0, $timeval, 0) != 0;
  my ($seconds, $microseconds) = unpack('q2', $timeval);
  return $seconds * 1000 + int($microseconds / 1000);
}

# The errno's name as Node gives it (ENOENT, EACCES, ...); Errno loads only on this path.
sub errno_name {
  my ($number) = @_;
  return undef unless eval { require Errno; 1 };
  for my $name (sort @Errno::EXPORT_OK) {
    my $value = eval { Errno->can($name)->() };
    return $name if defined $value && $value == $number;
  }
  return undef;
}

sub start_failed {
  my ($errno) = @_;
  my $code = errno_name($errno);
  local $! = $errno;
  # Node names the file only for the errors it reports asynchronously (child_process.js).
  my $file = defined $code && $code =~ /^E(ACCES|AGAIN|MFILE|NFILE|NOENT)$/ ? "$argv[0] " : '';
  my $message = "spawn $file" . ($code // "$!");
  my $error = '{"code":' . json_or_null($code) . ',"message":' . json_string($message) . '}';
  write_atomic($exitPath, "$exitHead,\n  \"spawnError\": {\n    \"code\": " . json_or_null($code) .
      ",\n    \"message\": " . json_string($message) . "\n  }\n}\n");
  tell_worker("spawn-error $error");
  exit 1;
}

sub signal_group {
  my ($pgid, $signal) = @_;
  kill("-$signal", $pgid) if $pgid > 1;
}

# 1. The agent, in a session and group of its own; the pipe tells an exec failure from a start.
pipe(my $execRead, my $execWrite) or start_failed($! + 0);    # close-on-exec: above $^F
my $pid = fork();
start_failed($! + 0) unless defined $pid;
if ($pid == 0) {
  close $execRead;
  close $reply;
  $SIG{PIPE} = 'DEFAULT';
  my $errno;
  if (syscall($sysSetsid + 0) == -1 || !chdir($cwd)) {
    $errno = $! + 0;
  } else {
    %ENV = ();
    for my $entry (@env) {
      my ($name, $value) = split /=/, $entry, 2;
      $ENV{$name} = $value // '';
    }
    { exec {$argv[0]} @argv; }
    $errno = $! + 0;
  }
  syswrite($execWrite, "$errno");
  exit 127;
}
close $execWrite;
my $execError = '';
while (sysread($execRead, my $chunk, 64)) { $execError .= $chunk }
close $execRead;
if ($execError ne '') {
  waitpid($pid, 0);
  start_failed($execError + 0);
}

# 2. The record, then the pid to the worker; an agent nobody could find again must not run.
my $record = "$recordHead,\n  \"pid\": $pid,\n  \"pgid\": $pid,\n  \"processStartTicks\": " .
  json_or_null(start_ticks($pid)) . ",\n  \"supervisorPid\": $$,\n  \"supervisorStartTicks\": " .
  json_or_null(start_ticks($$)) . "\n}\n";
unless (write_atomic($recordPath, $record)) {
  my $message = "could not write $recordPath: $!";
  signal_group($pid, 'KILL');
  tell_worker('launch-failed ' . json_string($message));
  exit 1;
}
tell_worker("started $pid");

# 3. and 4. Waits for the agent; SIGCHLD wakes the wait through a pipe (no lost wake-up).
pipe(my $wakeRead, my $wakeWrite);
$SIG{CHLD} = sub { syswrite($wakeWrite, 'x') };
my ($status, $stoppedBy, $killAt);
for (;;) {
  my $reaped = waitpid($pid, $WNOHANG);
  if ($reaped == $pid) { $status = $?; last }
  last if $reaped == -1;    # not ours any more: nothing to record
  my $now = now_ms();
  if (!defined $stoppedBy && $now >= $deadlineMs) {
    $stoppedBy = 'deadline';
    signal_group($pid, 'TERM');
    $killAt = $now + $graceMs;
  }
  if (defined $killAt && $now >= $killAt) {
    signal_group($pid, 'KILL');
    undef $killAt;
  }
  my $wakeAt = $killAt // (defined $stoppedBy ? undef : $deadlineMs);
  my $timeout = defined $wakeAt ? ($wakeAt - $now) / 1000 : $MAX_WAIT_S;
  $timeout = $MAX_WAIT_S if $timeout > $MAX_WAIT_S;
  $timeout = 0 if $timeout < 0;
  my $ready = '';
  vec($ready, fileno($wakeRead), 1) = 1;
  sysread($wakeRead, my $drained, 64) if select($ready, undef, undef, $timeout) > 0;
}
exit 1 unless defined $status;
my $endedAtMs = now_ms();
my $signal = $status & 127;
my $code = $signal == 0 ? $status >> 8 : 'null';
# A signal Node has no name for (real-time ones, 34..64) is recorded by its number.
my $signalName = $signal == 0 ? 'null' : $SIGNALS[$signal] ? json_string($SIGNALS[$signal]) : $signal;
write_atomic($exitPath, "$exitHead,\n  \"pid\": $pid,\n  \"code\": $code,\n  \"signal\": $signalName,\n" .
    '  "stoppedBy": ' . json_or_null($stoppedBy) . ",\n  \"endedAtMs\": $endedAtMs\n}\n");

# The rest of a group stopped at its deadline gets its SIGKILL after the grace all the same.
if (defined $killAt) {
  my $left = $killAt - now_ms();
  select(undef, undef, undef, $left / 1000) if $left > 0;
  signal_group($pid, 'KILL');
}

# Exits with the agent's status: the same code, or death by the same signal.
exit $code if $signal == 0;
$SIG{PIPE} = 'DEFAULT';
kill($signal, $$);
select(undef, undef, undef, 1);
# A signal whose default is to be ignored (SIGCHLD, SIGWINCH, ...): the shell's convention instead.
exit 128 + $signal;
