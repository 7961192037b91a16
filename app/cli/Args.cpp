#include "app/cli/Args.h"

namespace topiary::cli {

Result<Args> Args::parse(const std::vector<std::string>& argv, const std::set<std::string>& flags,
                         const std::set<std::string>& valueOptions)
{
    Args args;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.size() < 2 || a.rfind("--", 0) != 0) {
            args.m_positional.push_back(a);
            continue;
        }
        if (a == "--") {
            args.m_positional.insert(args.m_positional.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
            break;
        }
        std::string name = a.substr(2);
        std::optional<std::string> inlineValue;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name.resize(eq);
        }
        if (flags.count(name)) {
            if (inlineValue)
                return fail("option --" + name + " takes no value");
            args.m_flags.insert(name);
        } else if (valueOptions.count(name)) {
            if (!inlineValue) {
                if (i + 1 >= argv.size())
                    return fail("option --" + name + " needs a value");
                inlineValue = argv[++i];
            }
            args.m_values.emplace(name, *inlineValue);
        } else {
            return fail("unknown option --" + name);
        }
    }
    return args;
}

std::optional<std::string> Args::value(const std::string& option) const
{
    auto it = m_values.find(option);
    if (it == m_values.end())
        return std::nullopt;
    return it->second;
}

std::vector<std::string> Args::values(const std::string& option) const
{
    std::vector<std::string> out;
    auto [begin, end] = m_values.equal_range(option);
    for (auto it = begin; it != end; ++it)
        out.push_back(it->second);
    return out;
}

} // namespace topiary::cli
