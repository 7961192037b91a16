// Error values for everything a user can get wrong: a bad file, a bad recipe, a
// model OpenCV cannot run. Core functions return Result<T>; exceptions stop here.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace topiary {

struct Error {
    std::string message;

    // Adds context on the way up: "while loading x.onnx: <message>".
    Error withContext(const std::string& context) const { return {context + ": " + message}; }
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message) { return std::unexpected(Error{std::move(message)}); }

} // namespace topiary
