// Umbrella header of boxwarden's mail header helpers, one file a job:
//   header_encoding.h   display names, address and unstructured headers (encode, fold)
//   rfc2047.h           RFC 2047 encoded-word decoding
//   quoted_printable.h  quoted-printable bodies
//   message_id.h        Message-ID and Date values
//   binary_text.h       hex and base64 (libsodium)
#pragma once

#include "boxwarden/binary_text.h"
#include "boxwarden/header_encoding.h"
#include "boxwarden/message_id.h"
#include "boxwarden/quoted_printable.h"
#include "boxwarden/rfc2047.h"
