#include "core/passes/OpenCvCanonicalizer.h"

#include "core/model/StoredWeights.h"
#include "core/passes/ClipInputsToAttributes.h"
#include "core/passes/DeclareOutputShapes.h"
#include "core/passes/EliminateDeadCode.h"
#include "core/passes/ExpandBroadcastOperands.h"
#include "core/passes/FoldConstantNodes.h"
#include "core/passes/FoldGemmScalars.h"
#include "core/passes/FoldIdentityOnConstants.h"
#include "core/passes/FoldShapeComputations.h"
#include "core/passes/FuseActivationQdq.h"
#include "core/model/GraphEdit.h"
#include "core/passes/OrderBroadcastOperands.h"
#include "core/passes/RewriteReversedDiv.h"

#include <array>
#include <exception>
#include <string>

namespace topiary {

namespace {

// OpenCV 4.6 reads no FLOAT16 initializer and no DequantizeLinear of constants: weights
// stored as float16 behind a Cast or as int8 behind a DequantizeLinear are widened first.
void widenStored(onnx::ModelProto& proto)
{
    widenStoredWeights(proto);
}

constexpr std::array kPasses {
    OpenCvPass { "widenStoredWeights", &widenStored },
    OpenCvPass { "foldConstantNodes", &foldConstantNodes },
    OpenCvPass { "foldIdentityOnConstants", &foldIdentityOnConstants },
    OpenCvPass { "foldShapeComputations", &foldShapeComputations },
    OpenCvPass { "clipInputsToAttributes", &clipInputsToAttributes },
    OpenCvPass { "foldGemmScalars", &foldGemmScalars },
    OpenCvPass { "rewriteReversedDiv", &rewriteReversedDiv },
    OpenCvPass { "orderBroadcastOperands", &orderBroadcastOperands },
    OpenCvPass { "expandBroadcastOperands", &expandBroadcastOperands },
    OpenCvPass { "declareOutputShapes", &declareOutputShapes },
    OpenCvPass { "fuseActivationQdq", &fuseActivationQdq },
    OpenCvPass { "eliminateDeadCode", &eliminateDeadCode },
};

} // namespace

std::span<const OpenCvPass> openCvPasses()
{
    return kPasses;
}

Result<onnx::ModelProto> canonicalizeForOpenCv(const onnx::ModelProto& original)
{
    for (const auto& t : original.graph().initializer())
        if (hasExternalData(t))
            return fail(
                "initializer '" + t.name() + "' keeps its data in an external file; OpenCV needs it inside the model");

    onnx::ModelProto model = original;
    for (const auto& pass : kPasses) {
        try {
            pass.run(model);
        } catch (const std::exception& e) {
            return fail(std::string("preparing the model for OpenCV (") + pass.name + "): " + e.what());
        }
    }
    return model;
}

} // namespace topiary
