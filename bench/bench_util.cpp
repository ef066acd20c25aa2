#include "bench_util.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace boxwarden::bench {

double percentile(std::vector<double>& samples, double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const double rank = p / 100.0 * static_cast<double>(samples.size() - 1);
    return samples[static_cast<size_t>(std::lround(rank))];
}

double process_cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return -1;
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line.
    const auto close = line.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
    const std::string flag = "--" + name;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == flag && i + 1 < argc) return argv[i + 1];
        if (a.starts_with(flag + "=")) return a.substr(flag.size() + 1);
    }
    return fallback;
}

}  // namespace boxwarden::bench
