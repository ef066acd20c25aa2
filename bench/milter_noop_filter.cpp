// A do-nothing libmilter filter that negotiates every step (the baseline of
// the milter benchmark, docs/benchmarks.md): every callback answers
// SMFIS_CONTINUE, nothing is changed.
//   bench_milter_noop unix:/path/milter.sock
#include <libmilter/mfapi.h>
#include <sys/stat.h>

#include <cstdio>

namespace {

sfsistat cont_connect(SMFICTX*, char*, _SOCK_ADDR*) {
    return SMFIS_CONTINUE;
}
sfsistat cont_helo(SMFICTX*, char*) {
    return SMFIS_CONTINUE;
}
sfsistat cont_argv(SMFICTX*, char**) {
    return SMFIS_CONTINUE;
}
sfsistat cont_header(SMFICTX*, char*, char*) {
    return SMFIS_CONTINUE;
}
sfsistat cont_ctx(SMFICTX*) {
    return SMFIS_CONTINUE;
}
sfsistat cont_body(SMFICTX*, unsigned char*, size_t) {
    return SMFIS_CONTINUE;
}
sfsistat cont_unknown(SMFICTX*, const char*) {
    return SMFIS_CONTINUE;
}
sfsistat every_step(SMFICTX*, unsigned long, unsigned long, unsigned long, unsigned long,
                    unsigned long* pf0, unsigned long* pf1, unsigned long* pf2,
                    unsigned long* pf3) {
    *pf0 = 0;  // no actions
    *pf1 = 0;  // every step, every reply
    *pf2 = *pf3 = 0;
    return SMFIS_CONTINUE;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: bench_milter_noop unix:/path/milter.sock\n");
        return 64;
    }
    smfiDesc desc = {const_cast<char*>("bench-noop"),
                     SMFI_VERSION,
                     0,
                     cont_connect,
                     cont_helo,
                     cont_argv,
                     cont_argv,
                     cont_header,
                     cont_ctx,
                     cont_body,
                     cont_ctx,
                     cont_ctx,
                     cont_ctx,
                     cont_unknown,
                     cont_ctx,
                     every_step};
    if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) return 70;
    ::umask(0);
    if (smfi_opensocket(1) != MI_SUCCESS) return 70;
    return smfi_main() == MI_SUCCESS ? 0 : 70;
}
