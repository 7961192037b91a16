#include "app/cli/Args.h"
#include "app/cli/Commands.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"
#include "core/report/ModelReport.h"

#include <iostream>

namespace topiary::cli {

int infoCommand(const std::vector<std::string>& argv)
{
    auto args = Args::parse(argv, {"json"}, {});
    if (!args || args->positional().size() != 1) {
        std::cerr << "topiary-cli info: " << (args ? "expected exactly one MODEL" : args.error().message)
                  << "\nUsage: topiary-cli info MODEL [--json]\n";
        return 2;
    }
    auto model = Model::load(args->positional()[0]);
    if (!model) {
        std::cerr << "topiary-cli info: " << model.error().message << '\n';
        return 1;
    }
    const CostModel cost(*model);
    if (args->has("json"))
        std::cout << modelReportJson(*model, cost).dump(2) << '\n';
    else
        std::cout << modelReportText(*model, cost);
    return 0;
}

} // namespace topiary::cli
