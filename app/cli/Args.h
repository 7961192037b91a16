// A small command-line parser for topiary-cli subcommands: positional arguments,
// --flags and --options with values (as "--name value" or "--name=value").
#pragma once

#include "core/base/Error.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace topiary::cli {

class Args {
public:
    // valueOptions take a value; flags do not. Anything else starting with "--" is an error.
    static Result<Args> parse(const std::vector<std::string>& argv, const std::set<std::string>& flags,
                              const std::set<std::string>& valueOptions);

    bool has(const std::string& flag) const { return m_flags.count(flag) > 0; }
    std::optional<std::string> value(const std::string& option) const;
    std::vector<std::string> values(const std::string& option) const;  // repeated options
    const std::vector<std::string>& positional() const { return m_positional; }

private:
    std::set<std::string> m_flags;
    std::multimap<std::string, std::string> m_values;
    std::vector<std::string> m_positional;
};

} // namespace topiary::cli
