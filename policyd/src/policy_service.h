#pragma once
// Answers one Postfix policy request from the cache: parse, decide, and log
// every refusal or deferral (one sanitised line); malformed requests become
// "close the connection".
#include "boxwarden/clock.h"
#include "boxwarden/directory.h"
#include "runtime_settings.h"
#include "server.h"

namespace boxwarden::policyd {

class PolicyService {
  public:
    PolicyService(const DirectorySource& directory, const Clock& clock,
                  const RuntimeSettingsHolder& settings)
        : directory_(directory), clock_(clock), settings_(settings) {}

    PolicyAnswer answer(const AttrRequestView& request) const;
    PolicyAnswer answer(const AttrRequest& request) const;

  private:
    const DirectorySource& directory_;
    const Clock& clock_;
    const RuntimeSettingsHolder& settings_;
};

}  // namespace boxwarden::policyd
