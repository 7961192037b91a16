#include "core/eval/IncrementalEvaluator.h"

#include "core/eval/BatchLoop.h"
#include "core/eval/SwappableNet.h"
#include "core/model/Model.h"
#include "core/passes/OpenCvCanonicalizer.h"
#include "core/eval/OpenCvNet.h"
#include "core/model/TensorData.h"
#include "core/model/GraphEdit.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <map>
#include <optional>

namespace topiary {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// FNV-1a over everything that decides the cut's values.
class Fingerprint {
public:
    void add(const void* data, size_t size)
    {
        const auto* p = static_cast<const unsigned char*>(data);
        for (size_t i = 0; i < size; ++i) {
            m_hash ^= p[i];
            m_hash *= 1099511628211ULL;
        }
    }
    void add(const std::string& s)
    {
        const uint64_t n = s.size();
        add(&n, sizeof n);
        add(s.data(), s.size());
    }
    uint64_t value() const { return m_hash; }

private:
    uint64_t m_hash = 14695981039346656037ULL;
};

// The upstream sub-model's computation, independent of how the weights are encoded
// (apply() rewrites edited tensors as raw data and names nameless layer nodes).
uint64_t upstreamFingerprint(const onnx::ModelProto& upstream)
{
    Fingerprint f;
    for (const auto& node : upstream.graph().node()) {
        onnx::NodeProto n = node;
        n.clear_name();
        n.clear_doc_string();
        f.add(n.SerializeAsString());
    }
    for (const auto& t : upstream.graph().initializer()) {
        f.add(t.name());
        const int32_t type = t.data_type();
        f.add(&type, sizeof type);
        for (int64_t d : t.dims())
            f.add(&d, sizeof d);
        if (auto floats = readFloats(t)) {
            f.add(floats->data(), floats->size() * sizeof(float));
        } else if (auto ints = readInts(t)) {
            f.add(ints->data(), ints->size() * sizeof(int64_t));
        } else {
            onnx::TensorProto copy = t;
            copy.clear_name();
            copy.clear_doc_string();
            f.add(copy.SerializeAsString());
        }
    }
    return f.value();
}

// External data is read now (OpenCV and the fingerprint need the values inline).
Result<void> inlineExternal(onnx::ModelProto& upstream, const Model& model)
{
    for (auto& t : *upstream.mutable_graph()->mutable_initializer()) {
        if (t.data_location() != onnx::TensorProto_DataLocation_EXTERNAL)
            continue;
        const Constant* c = model.constant(t.name());
        if (!c)
            return fail("initializer '" + t.name() + "' keeps external data the model index did not read");
        std::string raw = !c->floats.empty() ? encodeFloats(c->floats, t.data_type()) : encodeInts(c->ints, t.data_type());
        t.clear_external_data();
        t.clear_data_location();
        t.clear_float_data();
        t.clear_int32_data();
        t.clear_int64_data();
        t.clear_double_data();
        t.clear_uint64_data();
        t.set_raw_data(std::move(raw));
    }
    return {};
}

int64_t product(const std::vector<int>& dims)
{
    int64_t n = 1;
    for (int d : dims)
        n *= d;
    return n;
}

cv::Mat batchBlob(int rows, const std::vector<int>& sampleDims)
{
    std::vector<int> dims { rows };
    dims.insert(dims.end(), sampleDims.begin(), sampleDims.end());
    return cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F);
}

} // namespace

struct IncrementalEvaluator::Impl {
    explicit Impl(Dataset d)
        : dataset(std::move(d))
    {
    }

    Cut cut;
    Dataset dataset;
    PreprocessSpec spec;
    EvaluationOptions evaluation;
    IncrementalOptions options;
    std::vector<int32_t> order;

    std::string imageInput;
    int batch = 1;
    bool fixedBatch = false;
    std::vector<bool> fromImage; // per cut tensor: it is the image input itself
    std::optional<onnx::ModelProto> upstream; // none when every cut tensor is an input
    uint64_t fingerprint = 0;
    std::optional<OpenCvNet> upstreamNet;
    std::optional<SwappableNet> downstreamNet; // the last run's, kept for the next plan
    int64_t netsBuilt = 0;
    std::vector<int> upstreamOutput; // per cut tensor: index among the upstream net's outputs, -1 for inputs
    // Seconds per image of the upstream net's batches: a cached batch skips that net, yet
    // its latency must be the whole model's, so it is charged the median of these.
    std::vector<double> upstreamPerImage;

    // The cache covers the first positionRow.size() entries of `order`: each a row, or skipped.
    std::vector<std::vector<int>> sampleDims; // per cut tensor, the dims after the batch
    int64_t bytesPerSample = 0;
    std::vector<std::vector<float>> data; // per cut tensor: rows x product(sampleDims)
    std::vector<int32_t> positionRow; // per cached position: row, or -1 when the image was skipped
    std::map<size_t, std::string> skipMessages; // by position
    int64_t rows = 0;

    int64_t capacity() const
    {
        if (bytesPerSample <= 0)
            return 0;
        return std::min<int64_t>(options.memoryBudget / bytesPerSample, static_cast<int64_t>(order.size()));
    }

    void setSampleDims(std::vector<std::vector<int>> dims)
    {
        sampleDims = std::move(dims);
        bytesPerSample = 0;
        for (const auto& d : sampleDims)
            bytesPerSample += product(d) * static_cast<int64_t>(sizeof(float));
        data.assign(sampleDims.size(), {});
        for (size_t t = 0; t < sampleDims.size(); ++t)
            data[t].reserve(static_cast<size_t>(capacity() * product(sampleDims[t])));
    }

    Result<void> ensureUpstreamNet()
    {
        if (!upstream || upstreamNet)
            return {};
        auto canonical = canonicalizeForOpenCv(*upstream);
        if (!canonical)
            return std::unexpected(canonical.error());
        // The cut tensors must come out of OpenCV under their own names.
        std::vector<std::string> outputs;
        for (const auto& o : canonical->graph().output())
            outputs.push_back(o.name());
        upstreamOutput.assign(cut.tensors.size(), -1);
        for (size_t t = 0; t < cut.tensors.size(); ++t) {
            if (fromImage[t])
                continue;
            auto it = std::find(outputs.begin(), outputs.end(), cut.tensors[t]);
            if (it == outputs.end())
                return fail("cut tensor '" + cut.tensors[t] + "' does not survive the preparation for OpenCV");
            upstreamOutput[t] = static_cast<int>(it - outputs.begin());
        }
        auto net = OpenCvNet::createWithoutCanonicalizing(*canonical);
        if (!net)
            return std::unexpected(net.error());
        upstreamNet.emplace(std::move(*net));
        return {};
    }
};

IncrementalEvaluator::IncrementalEvaluator(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{
}
IncrementalEvaluator::IncrementalEvaluator(IncrementalEvaluator&&) noexcept = default;
IncrementalEvaluator& IncrementalEvaluator::operator=(IncrementalEvaluator&&) noexcept = default;
IncrementalEvaluator::~IncrementalEvaluator() = default;

Result<IncrementalEvaluator> IncrementalEvaluator::create(const Model& original, Cut cut, Dataset dataset,
    PreprocessSpec spec, EvaluationOptions evaluation, IncrementalOptions options)
{
    if (cut.tensors.empty() || cut.tensors.size() != cut.infos.size())
        return fail("the cut has no tensors (make it with cutBefore())");
    if (options.memoryBudget < 0)
        return fail("the memory budget must not be negative");
    if (auto ok = checkPreprocessFor(spec, original.proto()); !ok)
        return std::unexpected(ok.error());
    auto input = findImageInput(original.proto(), spec.inputName);
    if (!input)
        return std::unexpected(input.error());

    auto impl = std::make_unique<Impl>(std::move(dataset));
    impl->imageInput = input->name;
    impl->fixedBatch = input->dims[0] > 0;
    impl->batch = impl->fixedBatch ? static_cast<int>(std::min<int64_t>(input->dims[0], 4096))
                                   : std::max(1, evaluation.batchSize);
    impl->order = Evaluator(impl->dataset, spec, evaluation).order();

    std::vector<std::vector<int>> sampleDims;
    bool known = true;
    for (const auto& info : cut.infos) {
        const bool isInput = std::find(original.inputs().begin(), original.inputs().end(), info.name)
            != original.inputs().end();
        if (isInput && info.name != impl->imageInput)
            return fail("the cut reads graph input '" + info.name + "'; only the image input '" + impl->imageInput
                + "' can be fed from the dataset");
        impl->fromImage.push_back(isInput);
        if (info.elemType != onnx::TensorProto_DataType_FLOAT)
            return fail("cut tensor '" + info.name + "' is not float32");
        std::vector<int> dims;
        if (!info.hasShape || info.shape.empty())
            known = false;
        for (size_t d = 1; d < info.shape.size(); ++d) {
            if (info.shape[d] <= 0 || info.shape[d] > (1 << 30))
                known = false;
            dims.push_back(static_cast<int>(info.shape[d]));
        }
        if (impl->fixedBatch && !info.shape.empty() && info.shape[0] != input->dims[0])
            return fail("cut tensor '" + info.name + "' does not have the batch as its first dimension");
        sampleDims.push_back(std::move(dims));
    }

    if (std::find(impl->fromImage.begin(), impl->fromImage.end(), false) != impl->fromImage.end()) {
        auto up = upstreamModel(original.proto(), cut);
        if (!up)
            return std::unexpected(up.error());
        if (auto ok = inlineExternal(*up, original); !ok)
            return std::unexpected(ok.error());
        impl->fingerprint = upstreamFingerprint(*up);
        impl->upstream = std::move(*up);
    }

    impl->cut = std::move(cut);
    impl->spec = std::move(spec);
    impl->evaluation = std::move(evaluation);
    impl->options = options;
    if (known)
        impl->setSampleDims(std::move(sampleDims));
    return IncrementalEvaluator(std::move(impl));
}

const Cut& IncrementalEvaluator::cut() const { return m_impl->cut; }
const Dataset& IncrementalEvaluator::dataset() const { return m_impl->dataset; }
const PreprocessSpec& IncrementalEvaluator::spec() const { return m_impl->spec; }
const EvaluationOptions& IncrementalEvaluator::evaluationOptions() const { return m_impl->evaluation; }
std::vector<int32_t> IncrementalEvaluator::order() const { return m_impl->order; }
int64_t IncrementalEvaluator::memoryBudget() const { return m_impl->options.memoryBudget; }
int64_t IncrementalEvaluator::bytesPerSample() const { return m_impl->bytesPerSample; }
int64_t IncrementalEvaluator::capacity() const { return m_impl->capacity(); }
int64_t IncrementalEvaluator::cachedSamples() const { return m_impl->rows; }
int64_t IncrementalEvaluator::bytesUsed() const { return m_impl->rows * m_impl->bytesPerSample; }

int64_t IncrementalEvaluator::netsBuilt() const { return m_impl->netsBuilt; }

void IncrementalEvaluator::clearCache()
{
    Impl& s = *m_impl;
    for (auto& d : s.data) {
        d.clear();
        d.shrink_to_fit();
    }
    s.positionRow.clear();
    s.skipMessages.clear();
    s.rows = 0;
}

Result<int64_t> IncrementalEvaluator::seedFrom(const IncrementalEvaluator& earlier)
try {
    Impl& s = *m_impl;
    const Impl& e = *earlier.m_impl;
    const bool readsImage = std::find(s.fromImage.begin(), s.fromImage.end(), true) != s.fromImage.end();
    if (&s == &e || !s.positionRow.empty() || e.rows == 0 || readsImage || !s.upstream || s.fixedBatch
        || s.sampleDims.empty() || e.sampleDims.empty() || s.order != e.order || s.batch != e.batch)
        return 0;
    // This cut's tensors: copied from the earlier cache when it holds them too, else
    // computed by the bridge (the earlier cut's tensors to the rest).
    std::vector<int> copiedFrom(s.cut.tensors.size(), -1);
    std::vector<TensorInfo> computed;
    for (size_t t = 0; t < s.cut.tensors.size(); ++t) {
        auto it = std::find(e.cut.tensors.begin(), e.cut.tensors.end(), s.cut.tensors[t]);
        if (it != e.cut.tensors.end())
            copiedFrom[t] = static_cast<int>(it - e.cut.tensors.begin());
        else
            computed.push_back(s.cut.infos[t]);
    }
    std::optional<OpenCvNet> bridge;
    std::vector<int> bridgeOutput(s.cut.tensors.size(), -1); // index among the bridge's outputs
    std::vector<size_t> bridgeFeed; // per bridge input: the earlier cut tensor
    if (!computed.empty()) {
        auto model = extractSubModel(*s.upstream, e.cut.infos, computed);
        if (!model)
            return 0; // the earlier cut does not separate this one
        auto canonical = canonicalizeForOpenCv(*model);
        if (!canonical)
            return std::unexpected(canonical.error());
        auto net = OpenCvNet::createWithoutCanonicalizing(*canonical);
        if (!net)
            return std::unexpected(net.error());
        const auto& outs = net->outputNames();
        for (size_t t = 0; t < s.cut.tensors.size(); ++t) {
            if (copiedFrom[t] >= 0)
                continue;
            auto it = std::find(outs.begin(), outs.end(), s.cut.tensors[t]);
            if (it == outs.end())
                return 0;
            bridgeOutput[t] = static_cast<int>(it - outs.begin());
        }
        for (const auto& name : net->inputNames()) {
            auto it = std::find(e.cut.tensors.begin(), e.cut.tensors.end(), name);
            if (it == e.cut.tensors.end())
                return 0;
            bridgeFeed.push_back(static_cast<size_t>(it - e.cut.tensors.begin()));
        }
        bridge.emplace(std::move(*net));
    }
    // The earlier cache's prefix of positions whose rows this budget holds (rows follow positions).
    const int64_t capacity = s.capacity();
    size_t positions = 0;
    int64_t rows = 0;
    while (positions < e.positionRow.size() && rows < capacity) {
        if (e.positionRow[positions] >= 0)
            ++rows;
        ++positions;
    }
    for (size_t t = 0; t < s.cut.tensors.size(); ++t)
        s.data[t].reserve(static_cast<size_t>(rows * product(s.sampleDims[t])));
    for (int64_t first = 0; first < rows; first += s.batch) {
        const int n = static_cast<int>(std::min<int64_t>(s.batch, rows - first));
        std::vector<cv::Mat> outputs;
        if (bridge) {
            std::vector<std::pair<std::string, cv::Mat>> feeds;
            for (size_t i = 0; i < bridgeFeed.size(); ++i) {
                const size_t t = bridgeFeed[i];
                std::vector<int> dims { n };
                dims.insert(dims.end(), e.sampleDims[t].begin(), e.sampleDims[t].end());
                float* rowsOf = const_cast<float*>(e.data[t].data()) + first * product(e.sampleDims[t]); // OpenCV copies inputs
                feeds.emplace_back(bridge->inputNames()[i], cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F, rowsOf));
            }
            auto out = bridge->forward(feeds);
            if (!out) {
                clearCache();
                return std::unexpected(out.error());
            }
            outputs = std::move(*out);
        }
        for (size_t t = 0; t < s.cut.tensors.size(); ++t) {
            const auto floats = static_cast<size_t>(product(s.sampleDims[t]));
            const float* from = nullptr;
            if (copiedFrom[t] >= 0) {
                from = e.data[static_cast<size_t>(copiedFrom[t])].data() + static_cast<size_t>(first) * floats;
            } else {
                cv::Mat& blob = outputs[static_cast<size_t>(bridgeOutput[t])];
                if (blob.depth() != CV_32F || !blob.isContinuous() || blob.total() != static_cast<size_t>(n) * floats) {
                    clearCache();
                    return fail("OpenCV gave cut tensor '" + s.cut.tensors[t] + "' another shape than the model declares");
                }
                from = blob.ptr<float>();
            }
            s.data[t].insert(s.data[t].end(), from, from + static_cast<size_t>(n) * floats);
        }
    }
    s.positionRow.assign(e.positionRow.begin(), e.positionRow.begin() + static_cast<std::ptrdiff_t>(positions));
    for (const auto& [position, message] : e.skipMessages)
        if (position < positions)
            s.skipMessages[position] = message;
    s.rows = rows;
    return rows;
} catch (const cv::Exception& e) {
    clearCache();
    return std::unexpected(openCvError(e, "OpenCV failed to fill a cut's cache from an earlier one"));
}

namespace {

// An incremental run: cached samples go through the downstream net from their cut
// activations (fed straight from the cache, whose rows for consecutive cached positions
// are consecutive), the others are decoded, run through the upstream net, cached while
// the budget lasts, and then go downstream the same way.
class IncrementalRun final : public BatchSource {
public:
    IncrementalRun(IncrementalEvaluator::Impl& s, OpenCvNet& net, std::vector<size_t> feedTensor)
        : m_s(s)
        , m_net(net)
        , m_feedTensor(std::move(feedTensor))
        , m_cutBlobs(s.cut.tensors.size())
    {
    }

    bool needsImage(size_t position) const override { return position >= m_s.positionRow.size(); }

    const std::string* skippedBefore(size_t position) const override
    {
        if (m_s.positionRow[position] >= 0)
            return nullptr;
        return &m_s.skipMessages.at(position);
    }

    void skipped(size_t position, const std::string& problem) override { m_pendingSkips[position] = problem; }

    Result<cv::Mat> forward(const Batch& batch, double& seconds) override
    {
        if (batch.decoded) {
            if (auto ok = runUpstream(batch, seconds); !ok)
                return std::unexpected(ok.error());
        } else {
            viewCache(batch);
            if (!m_s.upstreamPerImage.empty())
                seconds += medianWithQuartiles(m_s.upstreamPerImage).value * static_cast<double>(batch.members.size());
        }
        std::vector<std::pair<std::string, cv::Mat>> feeds;
        for (size_t i = 0; i < m_feedTensor.size(); ++i)
            feeds.emplace_back(m_net.inputNames()[i], m_cutBlobs[m_feedTensor[i]]);
        const auto t0 = Clock::now();
        auto outputs = m_net.forward(feeds);
        seconds += secondsSince(t0);
        if (!outputs)
            return std::unexpected(outputs.error());
        return std::move(outputs->front());
    }

private:
    // Cached rows of consecutive positions are consecutive: the batch is a view of the
    // cache, copied only when a fixed batch must be padded.
    void viewCache(const Batch& batch)
    {
        const int32_t firstRow = m_s.positionRow[batch.positions.front()];
        const int members = static_cast<int>(batch.members.size());
        const bool consecutive = m_s.positionRow[batch.positions.back()] == firstRow + members - 1;
        for (size_t t = 0; t < m_s.cut.tensors.size(); ++t) {
            const auto floats = static_cast<size_t>(product(m_s.sampleDims[t]));
            float* rows = m_s.data[t].data() + static_cast<size_t>(firstRow) * floats; // a view: OpenCV copies inputs
            if (batch.fed == members && consecutive) {
                std::vector<int> dims { batch.fed };
                dims.insert(dims.end(), m_s.sampleDims[t].begin(), m_s.sampleDims[t].end());
                m_cutBlobs[t] = cv::Mat(static_cast<int>(dims.size()), dims.data(), CV_32F, rows);
                continue;
            }
            m_cutBlobs[t] = batchBlob(batch.fed, m_s.sampleDims[t]);
            float* out = m_cutBlobs[t].ptr<float>();
            for (size_t r = 0; r < batch.positions.size(); ++r)
                std::memcpy(out + r * floats,
                    m_s.data[t].data() + static_cast<size_t>(m_s.positionRow[batch.positions[r]]) * floats,
                    floats * sizeof(float));
            std::fill(out + static_cast<size_t>(members) * floats, out + static_cast<size_t>(batch.fed) * floats, 0.0f);
        }
    }

    Result<void> runUpstream(const Batch& batch, double& seconds)
    {
        IncrementalEvaluator::Impl& s = m_s;
        std::vector<cv::Mat> upstreamOut;
        if (s.upstreamNet) {
            const auto t0 = Clock::now();
            auto out = s.upstreamNet->forward({ { s.imageInput, batch.images } });
            const double upstreamSeconds = secondsSince(t0);
            seconds += upstreamSeconds;
            s.upstreamPerImage.push_back(upstreamSeconds / static_cast<double>(batch.members.size()));
            if (!out)
                return std::unexpected(out.error());
            upstreamOut = std::move(*out);
        }
        std::vector<std::vector<int>> dims(s.cut.tensors.size());
        for (size_t t = 0; t < s.cut.tensors.size(); ++t) {
            cv::Mat blob = s.fromImage[t] ? batch.images.clone() : upstreamOut[static_cast<size_t>(s.upstreamOutput[t])];
            if (blob.depth() != CV_32F)
                blob.convertTo(blob, CV_32F);
            if (!blob.isContinuous())
                blob = blob.clone();
            if (blob.dims < 1 || blob.size[0] != batch.fed)
                return fail("OpenCV gave cut tensor '" + s.cut.tensors[t] + "' without the batch first");
            for (int d = 1; d < blob.dims; ++d)
                dims[t].push_back(blob.size[d]);
            m_cutBlobs[t] = blob;
        }
        if (s.sampleDims.empty())
            s.setSampleDims(dims);
        else if (dims != s.sampleDims)
            return fail("OpenCV gave the cut tensors other shapes than the model declares");
        // Keep what the budget holds, as long as the cached positions stay a prefix of the order.
        size_t member = 0;
        for (size_t position = batch.begin; position < batch.end; ++position) {
            const bool isMember = member < batch.positions.size() && batch.positions[member] == position;
            if (s.positionRow.size() == position && s.rows < s.capacity()) {
                if (!isMember) {
                    s.positionRow.push_back(-1);
                    s.skipMessages[position] = m_pendingSkips[position];
                } else {
                    for (size_t t = 0; t < s.cut.tensors.size(); ++t) {
                        const auto floats = static_cast<size_t>(product(s.sampleDims[t]));
                        const float* row = m_cutBlobs[t].ptr<float>() + member * floats;
                        s.data[t].insert(s.data[t].end(), row, row + floats);
                    }
                    s.positionRow.push_back(static_cast<int32_t>(s.rows++));
                }
            }
            if (isMember)
                ++member;
        }
        m_pendingSkips.clear();
        return {};
    }

    IncrementalEvaluator::Impl& m_s;
    OpenCvNet& m_net;
    std::vector<size_t> m_feedTensor; // per downstream input: its cut tensor
    std::vector<cv::Mat> m_cutBlobs; // the batch's cut activations, per tensor
    std::map<size_t, std::string> m_pendingSkips; // by position, in the batch being gathered
};

} // namespace

Result<EvaluationResult> IncrementalEvaluator::run(
    const onnx::ModelProto& compressed, const Evaluator::Progress& progress, std::stop_token stop)
try {
    Impl& s = *m_impl;
    if (s.options.verifyUpstream && s.upstream) {
        auto up = upstreamModel(compressed, s.cut);
        if (!up)
            return std::unexpected(up.error().withContext("the compressed model does not compute the cut tensors"));
        if (upstreamFingerprint(*up) != s.fingerprint)
            return fail("the compressed model computes the cut tensors differently from the original: it changes a "
                        "layer before the cut");
    }
    if (s.evaluation.reference && s.evaluation.reference->datasetSize != s.dataset.size())
        return fail("the reference outputs are of a dataset of " + std::to_string(s.evaluation.reference->datasetSize)
            + " samples, this one has " + std::to_string(s.dataset.size()));
    auto downstream = downstreamModel(compressed, s.cut, 1);
    if (!downstream)
        return std::unexpected(downstream.error());
    // One net per cut: a plan that only changes weights (masked pruning, quantization)
    // is written into the net the last plan used; any other change builds a new one.
    bool reused = false;
    if (s.downstreamNet) {
        auto swapped = s.downstreamNet->swapTo(*downstream);
        if (!swapped)
            return std::unexpected(swapped.error());
        reused = *swapped;
    }
    if (!reused) {
        s.downstreamNet.reset();
        auto net = SwappableNet::create(*downstream);
        if (!net)
            return std::unexpected(net.error());
        s.downstreamNet.emplace(std::move(*net));
        ++s.netsBuilt;
    }
    OpenCvNet& net = s.downstreamNet->net();
    std::vector<size_t> feedTensor;
    for (const auto& name : net.inputNames()) {
        auto it = std::find(s.cut.tensors.begin(), s.cut.tensors.end(), name);
        if (it == s.cut.tensors.end())
            return fail("the model after the cut reads '" + name + "', which is not a cut tensor");
        feedTensor.push_back(static_cast<size_t>(it - s.cut.tensors.begin()));
    }
    if (auto ok = s.ensureUpstreamNet(); !ok)
        return std::unexpected(ok.error());

    IncrementalRun source(s, net, std::move(feedTensor));
    auto result = runBatches({ s.dataset, s.spec, s.evaluation, s.order, s.batch, s.fixedBatch }, source, progress, stop);
    if (!result)
        s.downstreamNet.reset(); // a failed run may leave the net half set up
    return result;
} catch (const cv::Exception& e) {
    m_impl->downstreamNet.reset();
    return std::unexpected(openCvError(e, "OpenCV failed during the evaluation"));
} catch (const std::exception& e) {
    m_impl->downstreamNet.reset();
    return fail(std::string("the evaluation failed: ") + e.what());
}

} // namespace topiary
