#!/usr/bin/perl
# The agent supervisor, in Perl: the same contract as bin/agent-supervisor.js for about a tenth
# of its CPU (~5 ms a launch: Perl starts in ~2 ms, Node in ~50). src/activities/agent/perl-supervisor.ts
# starts this file with perl when this host has one, and the Node supervisor otherwise.
#
# The worker starts it detached (a session and process group of its own), with an empty
# environment, stdout and stderr on the attempt log, the launch spec on stdin and a reply pipe on
# fd 3. The spec is NUL-separated (argv and environment entries cannot hold a NUL; the worker uses
# the Node supervisor when one does):
#
#   agent-fanout-supervisor/3, record path, record head, exit path, exit head, deadline ms,
#   grace ms, syscall numbers ("setsid gettimeofday prctl landlock_create_ruleset
#   landlock_add_rule landlock_restrict_self openat close"), open(2) flags ("O_NOFOLLOW=... O_EXCL=..."), cwd,
#   confinement ("landlock" or "none"), writablec, writable path..., readonlyc, read-only root...,
#   argc, argv..., envc, "NAME=value"..., end
#
# (`agent-fanout-supervisor/2` is the same without the read-only roots; it is still accepted.)
#
# The syscall and flag numbers come from the worker (src/activities/containment/landlock-spec.ts),
# which knows the architecture. Every file this process writes is opened without following a
# link (O_NOFOLLOW; its temporary files also O_EXCL), so a link planted by the agent cannot turn
# its writes elsewhere (SPEC §8.4).
#
# The record and exit heads are the worker's JSON (two-space indent) without their closing brace;
# this process appends its own fields. It then:
#
# 0. makes itself a child subreaper (prctl), so whatever the agent starts and detaches (setsid, a
#    double fork) is reparented to it, not to init (SPEC §8.3);
# 1. starts the agent's argv as given (execvp, no shell), cwd and environment from the spec, stdin
#    at /dev/null, stdout and stderr inherited (the log), in a new session and process group that
#    the agent leads; under "landlock" the supervisor builds the ruleset and the child confines
#    itself to it just before exec (SPEC §8.1: see `build_ruleset`, `restrict_to`), and a refusal
#    fails the start, never runs the agent unconfined; a start failure
#    (ENOENT, EACCES, a Landlock refusal) is told apart from an exit code through a close-on-exec
#    pipe, and is written to the exit file as `spawnError`;
# 2. writes the attempt record (`logs/attempt-<n>.json`) atomically *before* it tells the worker the
#    pid on fd 3 (`started <pid>`), then closes fd 3: the worker may die from then on;
# 3. waits for the agent (reaping orphans as they end) and writes `logs/attempt-<n>.exit.json`
#    (`code`, `signal`, `stoppedBy`, `strayProcesses`: what was still alive of the agent's group
#    and of this process's descendants when the leader ended) atomically; then stops those strays,
#    SIGTERM, the grace, SIGKILL, until none is left (bounded), and exits with the agent's status
#    (the same code, or the same signal);
# 4. as a last resort when no worker follows the agent any more, stops the agent's group once it
#    runs past the deadline it was given, SIGTERM then SIGKILL after the grace, and records
#    `stoppedBy: "deadline"`.
#
# It loads no module (POSIX alone costs 20 ms of start-up; setsid and the clock are syscalls) and
# prints nothing: anything on stdout or stderr would land in the agent's log.
#
# Probe mode (`--landlock-abi <landlock_create_ruleset number>`) prints the kernel's Landlock ABI.
#
# Launcher mode (`--launcher <setsid syscall number> <open(2) flags>`): one long-lived process per worker forks a
# supervisor per launch, so the worker forks nothing itself: a fork copies the page tables of all
# its resident memory, about 5 ms of blocked event loop per launch at a worker's usual 250 MB,
# where this process forks in a fraction of a millisecond. Requests on stdin, each
# `<id> <bytes>\n` and then that many bytes: the attempt log's path, a NUL, the launch spec above.
# The forked child becomes the supervisor of that launch: a session of its own (as the worker's
# `detached` gives the single one), stdout and stderr on the log (opened O_NOFOLLOW), and its answer on the shared
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
# The entries beside the path to an agent's cwd, which Landlock needs a rule each for (see
# `build_ruleset`): directory => [dev, inode, mtime, [[path, is a directory], ...], next launch only].
# The launcher brings them up to date before each fork and keeps them across launches while their
# folders stay unchanged, so a supervisor inherits a current listing instead of reading and
# lstat'ing, say, a /tmp of thousands of entries again (about a third of what the rules cost; the
# rules' own opens and syscalls remain).
my %entriesOf;

# Probe mode (`--landlock-abi <landlock_create_ruleset syscall number>`): prints the Landlock ABI
# version this kernel offers, or `unavailable <reason>`, then exits.
if (@ARGV == 2 && $ARGV[0] eq '--landlock-abi') {
  my $abi = syscall($ARGV[1] + 0, 0, 0, 1);
  print $abi >= 1 ? "$abi\n" : "unavailable $!\n";
  exit 0;
}

# Where the answer goes, and the tag it starts with.
my ($reply, $replyTag, $spec);
close_inherited_descriptors();
if (@ARGV >= 2 && $ARGV[0] eq '--launcher') {
  ($reply, $replyTag, $spec) = serve_launches($ARGV[1], $ARGV[2]);    # returns in a forked supervisor only
} else {
  open($reply, '>&=', 3) or exit 1;
  $replyTag = '';
  binmode STDIN;
  $spec = do { local $/; <STDIN> };
}
# A worker that died before it sent the whole spec: there is nothing to do.
exit 0 unless defined $spec;
my @spec = split /\0/, $spec, -1;
exit 0 unless @spec > 16 && $spec[-1] eq 'end';
open(STDIN, '<', '/dev/null');

my ($version, $recordPath, $recordHead, $exitPath, $exitHead, $deadlineMs, $graceMs) = splice(@spec, 0, 7);
my ($sysSetsid, $sysClock, $sysPrctl, $sysLandlockCreate, $sysLandlockAdd, $sysLandlockRestrict, $sysOpenat,
  $sysClose) = split / /, shift(@spec);
my %O = open_flags(shift @spec);
my ($cwd, $confinement) = splice(@spec, 0, 2);
my @writable = take_counted(\@spec);
my @readOnly = $version eq 'agent-fanout-supervisor/2' ? () : take_counted(\@spec);
my @argv = take_counted(\@spec);
my @env = take_counted(\@spec);
if ($version !~ m{\Aagent-fanout-supervisor/[23]\z} || !@argv || "@spec" ne 'end' || !defined $sysClose ||
  ($confinement ne 'landlock' && $confinement ne 'none')) {
  tell_worker('launch-failed ' . json_string('malformed launch spec'));
  exit 1;
}

# `n`, then n fields.
sub take_counted {
  my ($fields) = @_;
  my $count = shift(@$fields) // '';
  return () unless $count =~ /\A\d+\z/ && $count < @$fields;
  return splice(@$fields, 0, $count);
}

# The open(2) flags this architecture uses, given by the worker as `NAME=value` words.
sub open_flags {
  my ($words) = @_;
  # Numbers, not strings: `|` on two strings would OR their characters.
  return map { my ($name, $value) = split /=/, $_, 2; ($name, $value + 0) } split / /, $words // '';
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
  my ($sysSetsid, $openFlags) = @_;
  my %flag = open_flags($openFlags);
  exit 2 unless defined $flag{O_NOFOLLOW};
  # The attempt log: appended to, created when missing, never through a symbolic link.
  my $logFlags = $flag{O_WRONLY} | $flag{O_APPEND} | $flag{O_CREAT} | $flag{O_NOFOLLOW};
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
        list_entries_beside_cwd((split /\0/, $request, 2)[1] // '');
        my $pid = fork();
        if (!defined $pid) {
          syswrite($out, "$id launch-failed " . json_string("fork: $!") . "\n");
        } elsif ($pid == 0) {
          $SIG{CHLD} = 'DEFAULT';
          close $wakeRead;
          close $wakeWrite;
          my ($logPath, $launchSpec) = split /\0/, $request, 2;
          syscall($sysSetsid + 0);
          unless (sysopen(STDOUT, $logPath, $logFlags, 0666) && open(STDERR, '>&', \*STDOUT)) {
            syswrite($out, "$id launch-failed " . json_string("could not open $logPath: $!") . "\n");
            exit 1;
          }
          return ($out, "$id ", $launchSpec);
        } else {
          $requestOf{$pid} = $id;
        }
        delete @entriesOf{ grep { $entriesOf{$_}[4] } keys %entriesOf };    # served this launch only
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

# Closes every descriptor above 3 that this process inherited: whatever the worker's own parent left
# open without close-on-exec (a CI job's pipe, say) would otherwise reach every supervisor and
# agent, and whoever waits for that pipe's end would wait for the agents too. Perl opens its own
# descriptors close-on-exec, so a launcher's supervisors inherit none of these.
sub close_inherited_descriptors {
  opendir(my $listing, '/proc/self/fd') or return;
  my @inherited = grep { /\A\d+\z/ && $_ > 3 } readdir $listing;
  closedir $listing;    # its own descriptor was among them: closed now, so the opens below fail
  for my $fd (@inherited) {
    my $handle;
    close $handle if open($handle, '<&=', $fd) || open($handle, '>&=', $fd);
  }
}

# Writes `text` to `path` through a rename, so a reader never sees half a file.
sub write_atomic {
  my ($path, $text) = @_;
  my $temporary = "$path.$$.tmp";
  unlink $temporary;    # one this process left (a record rewritten): O_EXCL refuses it
  sysopen(my $file, $temporary, $O{O_WRONLY} | $O{O_CREAT} | $O{O_EXCL} | $O{O_NOFOLLOW}, 0666) or return 0;
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

# Records a start failure (the exit file, then the worker) and exits. `$errno` is an errno number,
# or the text of a confinement failure (`landlock: ...`), which has no OS error code.
sub start_failed {
  my ($errno) = @_;
  my ($code, $message);
  if ($errno =~ /\A\d+\z/) {
    $code = errno_name($errno);
    local $! = $errno;
    # Node names the file only for the errors it reports asynchronously (child_process.js).
    my $file = defined $code && $code =~ /^E(ACCES|AGAIN|MFILE|NFILE|NOENT)$/ ? "$argv[0] " : '';
    $message = "spawn $file" . ($code // "$!");
  } else {
    $message = $errno;
  }
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

# Landlock (SPEC §8.1), in the agent's child just before exec: only write-type rights are handled,
# so reads and execution stay free. Writable: the paths the worker gave (allowed directories,
# namespace, agent.writable) and, outside the repo (the cwd) and the read-only roots (a git run's
# source checkout, §9), every entry beside each directory that leads to one of them; so inside the
# repo nothing else, `.git` included, and inside a read-only root nothing. Returns an error text or undef.
my $PR_SET_NO_NEW_PRIVS = 38;
my $AT_FDCWD = -100;
my $LANDLOCK_CREATE_RULESET_VERSION = 1;
my $LANDLOCK_RULE_PATH_BENEATH = 1;
my $WRITE_FILE = 1 << 1;
my $TRUNCATE = 1 << 14;    # ABI 3
my $REFER = 1 << 13;       # ABI 2
# WRITE_FILE, REMOVE_DIR, REMOVE_FILE and MAKE_CHAR, _DIR, _REG, _SOCK, _FIFO, _BLOCK, _SYM (ABI 1).
my $WRITE_RIGHTS_ABI1 = $WRITE_FILE | (0x1ff << 4);

# The cwd and the read-only roots, without trailing slashes: what the agent must not write beside.
sub closed_roots { return map { s{/+\z}{}r } @_ }

# For the closed roots: { directory => { entry => 1 } } for the entries that lead to one of them,
# and the directories whose other entries stay writable (those within a root allow nothing).
sub directories_to {
  my @closed = @_;
  my %leadsTo;
  for my $root (@closed) {
    my @parts = grep { $_ ne '' } split m{/}, $root;
    $leadsTo{ '/' . join('/', @parts[0 .. $_ - 1]) }{ $parts[$_] } = 1 for 0 .. $#parts;
  }
  my @directories = grep {
    my $directory = $_;
    !grep { $directory eq $_ || index($directory, "$_/") == 0 } @closed
  } sort keys %leadsTo;
  return (\%leadsTo, @directories);
}

# The entries of `directory` but links, `.` and `..`: [path, is a directory] each. A listing is
# kept for later launches (in %entriesOf) only when the directory had not changed for 2 s when it
# was read: Perl's mtime is in whole seconds, and any later change then shows as another mtime, so
# a kept listing is reused exactly while the directory stays as it was. Any other listing serves
# only the launch the launcher forks next (its supervisor reads nothing again), then is dropped.
sub directory_entries {
  my ($directory) = @_;
  my @now = stat $directory or return ();
  my $kept = $entriesOf{$directory};
  return @{ $kept->[3] } if $kept && $kept->[0] == $now[0] && $kept->[1] == $now[1] && $kept->[2] == $now[9];
  my $readAt = time;
  opendir(my $listing, $directory) or return ();
  my @entries;
  for my $entry (readdir $listing) {
    next if $entry eq '.' || $entry eq '..';
    my $path = ($directory eq '/' ? '' : $directory) . "/$entry";
    next if !lstat($path) || -l _;    # a link's target is judged by its own rule
    push @entries, [$path, -d _ ? 1 : 0];
  }
  closedir $listing;
  $entriesOf{$directory} = [@now[0, 1, 9], \@entries, $now[9] > $readAt - 2];
  return @entries;
}

# In the launcher, before it forks a confined launch: brings the listings beside its cwd up to date.
sub list_entries_beside_cwd {
  my @fields = split /\0/, $_[0], -1;
  return unless @fields > 12 && $fields[10] eq 'landlock';
  my ($version, $cwd) = @fields[0, 9];
  splice(@fields, 0, 11);
  take_counted(\@fields);
  my @readOnly = $version eq 'agent-fanout-supervisor/2' ? () : take_counted(\@fields);
  my (undef, @directories) = directories_to(closed_roots($cwd, @readOnly));
  directory_entries($_) for @directories;
}

# The agent's Landlock ruleset, built here before the fork: the agent's process then only restricts
# itself (restrict_to), so the rules' CPU is the supervisor's and the forked child touches, and so
# copies, less memory. Returns the ruleset's descriptor (close-on-exec, as the kernel makes it), or
# undef and why not.
sub build_ruleset {
  my $abi = syscall($sysLandlockCreate + 0, 0, 0, $LANDLOCK_CREATE_RULESET_VERSION);
  return (undef, "landlock is not available ($!)") if $abi < 1;
  my $handled = $WRITE_RIGHTS_ABI1 | ($abi >= 2 ? $REFER : 0) | ($abi >= 3 ? $TRUNCATE : 0);
  my $fileRights = $handled & ($WRITE_FILE | $TRUNCATE);
  my $ruleset = syscall($sysLandlockCreate + 0, pack('Q', $handled), 8, 0);
  return (undef, "landlock_create_ruleset failed ($!)") if $ruleset < 0;
  # A rule as a raw O_PATH descriptor, no Perl handle (a repo beside hundreds of entries costs a
  # rule each, so each must be cheap).
  my $allow = sub {
    my ($path, $follow, $isDirectory) = @_;
    my $rights = $isDirectory ? $handled : $fileRights;
    my $flags = $O{O_PATH} | $O{O_CLOEXEC} | ($follow ? 0 : $O{O_NOFOLLOW});
    my $fd = syscall($sysOpenat + 0, $AT_FDCWD, $path, $flags);
    return undef if $fd < 0;
    my $rule = pack('Ql', $rights, $fd);
    my $added = syscall($sysLandlockAdd + 0, $ruleset + 0, $LANDLOCK_RULE_PATH_BENEATH, $rule, 0);
    syscall($sysClose + 0, $fd + 0);
    return $added == 0 ? undef : "landlock_add_rule $path failed ($!)";
  };
  for my $path (@writable) {
    next unless stat $path;    # a path the worker gave that does not exist cannot be held by a rule
    my $failed = $allow->($path, 1, -d _);
    if (defined $failed) {
      syscall($sysClose + 0, $ruleset + 0);
      return (undef, $failed);
    }
  }
  my ($leadsTo, @directories) = directories_to(closed_roots($cwd, @readOnly));
  for my $directory (@directories) {
    for my $entry (directory_entries($directory)) {
      my ($path, $isDirectory) = @$entry;
      next if $leadsTo->{$directory}{ substr($path, rindex($path, '/') + 1) };
      $allow->($path, 0, $isDirectory);    # an entry that vanished or refuses a rule stays read-only
    }
  }
  return ($ruleset, undef);
}

# In the agent's process, before exec: confines it to `ruleset` for good; undef, or why not.
sub restrict_to {
  my ($ruleset) = @_;
  return "prctl(PR_SET_NO_NEW_PRIVS) failed ($!)"
    if syscall($sysPrctl + 0, $PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0;
  return "landlock_restrict_self failed ($!)" if syscall($sysLandlockRestrict + 0, $ruleset + 0, 0) != 0;
  return undef;
}

# Nothing the agent starts outlives it (SPEC §8.3): this process is a child subreaper, so whatever
# leaves the agent's group or session (setsid, a double fork) is reparented here when its parent
# dies, and stays this process's descendant.
my $PR_SET_CHILD_SUBREAPER = 36;
syscall($sysPrctl + 0, $PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

# The live (not zombie) processes that descend from this one: the agent's whole group among them,
# since every member descends from the agent and orphans are reparented here. (Its group id is no
# guide once the leader is reaped: the number may be reused by an unrelated group.)
sub live_leftovers {
  my %childrenOf;
  opendir(my $proc, '/proc') or return ();
  for my $pid (grep { /\A\d+\z/ } readdir $proc) {
    open(my $file, '<', "/proc/$pid/stat") or next;
    my $stat = <$file>;
    next unless defined $stat;
    my ($state, $parent) = split / /, substr($stat, rindex($stat, ')') + 2);
    push @{ $childrenOf{$parent} }, [$pid, $state ne 'Z' && $state ne 'X'];
  }
  closedir $proc;
  my (@live, %seen);
  my @queue = ($$);
  while (@queue) {
    for my $child (@{ $childrenOf{ shift @queue } // [] }) {
      my ($pid, $alive) = @$child;
      next if $seen{$pid}++;
      push @live, $pid if $alive;
      push @queue, $pid;
    }
  }
  return @live;
}

sub reap_children {
  1 while waitpid(-1, $WNOHANG) > 0;
}

# SIGTERM, up to the grace, SIGKILL, again until nothing is left (bounded); reaps as it goes.
sub sweep {
  my $giveUpAt = now_ms() + $graceMs + 30_000;
  for (my $round = 0; ; $round++) {
    reap_children();
    my @left = live_leftovers();
    last if !@left || now_ms() >= $giveUpAt;
    my $signal = $round == 0 ? 'TERM' : 'KILL';
    kill($signal, @left);
    my $waitUntil = now_ms() + ($round == 0 ? $graceMs : 1000);
    while (now_ms() < $waitUntil) {
      select(undef, undef, undef, 0.05);
      reap_children();
      last unless live_leftovers();
    }
  }
  reap_children();
}

# 1. The agent, in a session and group of its own; the pipe tells an exec failure from a start.
my $ruleset;
if ($confinement eq 'landlock') {
  ($ruleset, my $refused) = build_ruleset();
  start_failed("landlock: $refused; the agent was not started") if defined $refused;
}
pipe(my $execRead, my $execWrite) or start_failed($! + 0);    # close-on-exec: above $^F
my $pid = fork();
start_failed($! + 0) unless defined $pid;
if ($pid == 0) {
  close $execRead;
  close $reply;
  $SIG{PIPE} = 'DEFAULT';
  my $failure;
  if (syscall($sysSetsid + 0) == -1 || !chdir($cwd)) {
    $failure = $! + 0;
  } elsif (defined $ruleset && defined(my $refused = restrict_to($ruleset))) {
    $failure = "landlock: $refused; the agent was not started";
  } else {
    %ENV = ();
    for my $entry (@env) {
      my ($name, $value) = split /=/, $entry, 2;
      $ENV{$name} = $value // '';
    }
    { exec {$argv[0]} @argv; }
    $failure = $! + 0;
  }
  syswrite($execWrite, $failure);
  exit 127;
}
close $execWrite;
syscall($sysClose + 0, $ruleset + 0) if defined $ruleset;    # the agent's process has its own
my $execError = '';
while (sysread($execRead, my $chunk, 4096)) { $execError .= $chunk }
close $execRead;
if ($execError ne '') {
  waitpid($pid, 0);
  start_failed($execError);
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

# 3. and 4. Waits for the agent, reaping whatever else ends meanwhile (orphans reparented here);
# SIGCHLD wakes the wait through a pipe (no lost wake-up).
pipe(my $wakeRead, my $wakeWrite);
$SIG{CHLD} = sub { syswrite($wakeWrite, 'x') };
my ($status, $stoppedBy, $killAt, $childless);
for (;;) {
  my $reaped;
  while (($reaped = waitpid(-1, $WNOHANG)) > 0) {
    $status = $? if $reaped == $pid;
  }
  # No child left at all (ECHILD): then no descendant either, since whatever the agent started is
  # reparented here when its parent ends; the /proc scans below have nothing to find.
  $childless = $reaped == -1;
  last if defined $status;
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
# What the agent left running is counted now and stopped after the exit file: the outcome does
# not wait for it (SPEC §7.11), though this process does.
my $strays = $childless ? 0 : scalar(my @left = live_leftovers());
write_atomic($exitPath, "$exitHead,\n  \"pid\": $pid,\n  \"code\": $code,\n  \"signal\": $signalName,\n" .
    '  "stoppedBy": ' . json_or_null($stoppedBy) . ",\n  \"endedAtMs\": $endedAtMs,\n" .
    "  \"strayProcesses\": $strays\n}\n");
$SIG{CHLD} = 'DEFAULT';
sweep() unless $childless;

# Exits with the agent's status: the same code, or death by the same signal.
exit $code if $signal == 0;
$SIG{PIPE} = 'DEFAULT';
kill($signal, $$);
select(undef, undef, undef, 1);
# A signal whose default is to be ignored (SIGCHLD, SIGWINCH, ...): the shell's convention instead.
exit 128 + $signal;
