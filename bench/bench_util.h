#pragma once
// Small helpers shared by the benchmark programs: percentiles and the CPU
// time of a process from /proc.
#include <sys/types.h>

#include <string>
#include <vector>

namespace boxwarden::bench {

// p in [0, 100]; sorts `samples` in place. 0 when empty.
double percentile(std::vector<double>& samples, double p);

// utime + stime of a process in seconds (/proc/PID/stat), -1 if unreadable.
double process_cpu_seconds(pid_t pid);

// Value of "--name=value" or "--name value" in argv, else `fallback`.
std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback);

}  // namespace boxwarden::bench
