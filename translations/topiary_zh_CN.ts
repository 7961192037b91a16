<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>QObject</name>
    <message>
        <source>figure %1 is not a valid SVG image</source>
        <translation>图 %1 不是有效的 SVG 图像</translation>
    </message>
    <message>
        <source>cannot write in %1</source>
        <translation>无法在 %1 中写入</translation>
    </message>
    <message>
        <source>the PDF could not be printed</source>
        <translation>无法打印 PDF</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Save a PNG of the window to &lt;file&gt; once the model is loaded, then quit.</source>
        <translation>模型加载完成后将窗口截图保存为 PNG 文件 &lt;file&gt;，然后退出。</translation>
    </message>
    <message>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Apply the plan in &lt;recipe.json&gt; once the model is loaded.</source>
        <translation>模型加载完成后应用 &lt;recipe.json&gt; 中的方案。</translation>
    </message>
    <message>
        <source>recipe.json</source>
        <translation>recipe.json</translation>
    </message>
    <message>
        <source>A workbench for compressing neural networks by hand.</source>
        <translation>手动压缩神经网络的工作台。</translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>Only one model can be opened at a time.</source>
        <translation>一次只能打开一个模型。</translation>
    </message>
    <message>
        <source>Could not apply %1</source>
        <translation>无法应用 %1</translation>
    </message>
    <message>
        <source>Evaluate on &lt;path&gt; once the model is loaded: an image folder (one sub-folder per class), a .csv/.tsv list of path,label lines, or an IDX images file.</source>
        <translation>模型加载后在 &lt;path&gt; 上评估：图像文件夹（每类一个子文件夹）、由 path,label 行组成的 .csv/.tsv 列表，或 IDX 图像文件。</translation>
    </message>
    <message>
        <source>path</source>
        <translation>路径</translation>
    </message>
    <message>
        <source>Preprocess the --data images as &lt;file&gt; says (JSON: channels, height, width, resize, scale, mean, std, color_order, classes) instead of the preprocess.json found beside the model or the data.</source>
        <translation>按 &lt;file&gt; 的描述预处理 --data 的图像（JSON：channels、height、width、resize、scale、mean、std、color_order、classes），而不使用模型或数据旁的 preprocess.json。</translation>
    </message>
    <message>
        <source>The ONNX model or .topiary project to open (default: the bundled sample).</source>
        <translation>要打开的 ONNX 模型或 .topiary 项目（默认：内置示例）。</translation>
    </message>
    <message>
        <source>A project brings its own dataset; open it, then choose another dataset in the window.</source>
        <translation>项目自带数据集；请先打开它，再在窗口中选择其他数据集。</translation>
    </message>
    <message>
        <source>%1: no such file or folder</source>
        <translation>%1：没有这个文件或文件夹</translation>
    </message>
    <message>
        <source>--preprocess describes the --data images; give --data too.</source>
        <translation>--preprocess 描述的是 --data 的图像；请同时给出 --data。</translation>
    </message>
    <message>
        <source>Could not evaluate on %1</source>
        <translation>无法在 %1 上评估</translation>
    </message>
</context>
<context>
    <name>topiary::ActivationBitsAction</name>
    <message>
        <source>8-bit &amp;Activations but First and Last Layer</source>
        <translation>除首末层外激活量化为 8 位(&amp;A)</translation>
    </message>
    <message>
        <source>Quantize every layer&apos;s input activations to 8 bits (uint8, calibrated on the dataset), except the first and the last layer</source>
        <translation>将除第一层和最后一层以外每一层的输入激活量化为 8 位（uint8，在数据集上校准）</translation>
    </message>
    <message>
        <source>8-bit activations but first and last layer</source>
        <translation>除首末层外激活为 8 位</translation>
    </message>
</context>
<context>
    <name>topiary::ActivationHistogramPlot</name>
    <message>
        <source>input activation value</source>
        <translation>输入激活值</translation>
    </message>
    <message>
        <source>values per bin</source>
        <translation>每个区间的值个数</translation>
    </message>
    <message>
        <source>The values this layer&apos;s input took on the calibration images, and the range its 8-bit codes cover (green); values outside it (grey) are clipped.</source>
        <translation>该层输入在校准图像上取到的值，以及其 8 位编码覆盖的范围（绿色）；范围外的值（灰色）会被截断。</translation>
    </message>
    <message>
        <source>Min/max calibration keeps no histogram (one pass over the images); choose another method to see the values.</source>
        <translation>最小/最大值校准不保留直方图（只遍历图像一次）；选择其他方法即可查看这些值。</translation>
    </message>
    <message>
        <source>%1 range [%2, %3] · %4</source>
        <translation>%1 范围 [%2, %3] · %4</translation>
    </message>
    <message>
        <source>The values this layer&apos;s input (%1) took on the calibration images, and the range its 8-bit codes cover (green); values outside it (grey) are clipped.</source>
        <translation>该层输入（%1）在校准图像上取到的值，以及其 8 位编码覆盖的范围（绿色）；范围外的值（灰色）会被截断。</translation>
    </message>
</context>
<context>
    <name>topiary::ActivationSection</name>
    <message>
        <source>Calibrating 8-bit activations: loading %1 images…</source>
        <translation>正在校准 8 位激活：加载 %1 张图像…</translation>
    </message>
    <message>
        <source>Calibrating 8-bit activations: pass %1 of %2, %3 of %4 images</source>
        <translation>正在校准 8 位激活：第 %1 / %2 遍，%3 / %4 张图像</translation>
    </message>
    <message>
        <source>%1 ranges calibrated on %2 images (%3).</source>
        <translation>已在 %2 张图像上校准 %1 个范围（%3）。</translation>
    </message>
    <message>
        <source>Calibration cancelled: the accuracy waits for calibrated ranges.</source>
        <translation>校准已取消：准确率需等待校准后的范围。</translation>
    </message>
    <message>
        <source>Calibration failed: %1</source>
        <translation>校准失败：%1</translation>
    </message>
    <message>
        <source>%1 inputs in float</source>
        <translation>%1 的输入为浮点</translation>
    </message>
    <message>
        <source>%1 inputs as int8</source>
        <translation>%1 的输入为 int8</translation>
    </message>
    <message>
        <source>%1 inputs as uint8</source>
        <translation>%1 的输入为 uint8</translation>
    </message>
    <message>
        <source>Calibrate activations by %1</source>
        <translation>按 %1 校准激活</translation>
    </message>
    <message>
        <source>Calibrating 8-bit activations…</source>
        <translation>正在校准 8 位激活…</translation>
    </message>
    <message>
        <source>Open a dataset to calibrate the 8-bit activations: the accuracy needs their ranges.</source>
        <translation>请打开数据集以校准 8 位激活：准确率需要它们的范围。</translation>
    </message>
    <message>
        <source>Not calibrated yet: the histogram of the input values appears with the ranges.</source>
        <translation>尚未校准：输入值的直方图将随范围一同出现。</translation>
    </message>
    <message>
        <source>The ranges came with the plan; the values are seen when calibrating (choose a calibration method to calibrate again).</source>
        <translation>这些范围来自方案；输入值在校准时才能看到（选择校准方法即可重新校准）。</translation>
    </message>
</context>
<context>
    <name>topiary::AnalysisPane</name>
    <message>
        <source>Back to plan #%1 from the Pareto plot</source>
        <translation>从帕累托图回到方案 #%1</translation>
    </message>
    <message>
        <source>Sensitivity analysis done</source>
        <translation>敏感度分析完成</translation>
    </message>
    <message>
        <source>Sensitivity analysis stopped; the measured points are kept</source>
        <translation>敏感度分析已停止；已测得的点予以保留</translation>
    </message>
    <message>
        <source>Sensitivity analysis failed: %1</source>
        <translation>敏感度分析失败：%1</translation>
    </message>
    <message>
        <source>Kept the fitted plan</source>
        <translation>已保留符合预算的方案</translation>
    </message>
    <message>
        <source>&amp;Sensitivity Analysis</source>
        <translation>敏感度分析(&amp;S)</translation>
    </message>
    <message>
        <source>Prune each layer alone at 10–90 % and measure the accuracy it keeps, on up to 500 images</source>
        <translation>逐层单独以 10–90 % 剪枝，并在最多 500 张图像上测量保留的准确率</translation>
    </message>
    <message>
        <source>&amp;Stop Sensitivity Analysis</source>
        <translation>停止敏感度分析(&amp;S)</translation>
    </message>
    <message>
        <source>Stop after the current point and keep what was measured</source>
        <translation>在当前点之后停止，并保留已测得的结果</translation>
    </message>
    <message>
        <source>Points measured so far</source>
        <translation>目前已测得的点</translation>
    </message>
    <message>
        <source>Overview: %1</source>
        <translation>总览：%1</translation>
    </message>
    <message>
        <source>Open a dataset first (File → Open Dataset): sensitivity is measured on images</source>
        <translation>请先打开数据集（文件 → 打开数据集）：敏感度需要在图像上测量</translation>
    </message>
    <message>
        <source>Run Analyze → Sensitivity Analysis to the end first: the fit uses its measurements.</source>
        <translation>请先完整运行“分析 → 敏感度分析”：预算拟合需要使用其测量结果。</translation>
    </message>
    <message>
        <source>Fit to budget</source>
        <translation>符合预算</translation>
    </message>
    <message>
        <source>Fit to budget cancelled; the plan is unchanged</source>
        <translation>预算拟合已取消；方案未改变</translation>
    </message>
    <message>
        <source>The fit failed: %1</source>
        <translation>拟合失败：%1</translation>
    </message>
    <message>
        <source>Open a dataset first: the proposal is measured on its images.</source>
        <translation>请先打开数据集：建议方案要在其图像上测量。</translation>
    </message>
</context>
<context>
    <name>topiary::AutoSaver</name>
    <message>
        <source>Cannot create the autosave folder %1.</source>
        <translation>无法创建自动保存文件夹 %1。</translation>
    </message>
    <message>
        <source>Cannot lock the autosave file %1.</source>
        <translation>无法锁定自动保存文件 %1。</translation>
    </message>
</context>
<context>
    <name>topiary::BudgetFitPanel</name>
    <message>
        <source>MACs</source>
        <translation>MACs</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Weight size</source>
        <translation>权重大小</translation>
    </message>
    <message>
        <source>What the budget limits: multiply-accumulates, non-zero parameters or encoded weight bytes.</source>
        <translation>预算限制的对象：乘加运算次数、非零参数量或编码后的权重字节数。</translation>
    </message>
    <message>
        <source>% of the original</source>
        <translation>占原始模型的 %</translation>
    </message>
    <message>
        <source>Absolute</source>
        <translation>绝对值</translation>
    </message>
    <message>
        <source>Give the target as a share of the original model or as an amount.</source>
        <translation>以占原始模型的比例或绝对数量给出目标。</translation>
    </message>
    <message>
        <source>The most the compressed model may have of the chosen metric.</source>
        <translation>压缩后模型在所选指标上允许的最大值。</translation>
    </message>
    <message>
        <source> points</source>
        <translation> 个百分点</translation>
    </message>
    <message>
        <source>&amp;Propose</source>
        <translation>生成建议(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Accept</source>
        <translation>接受(&amp;A)</translation>
    </message>
    <message>
        <source>Make the proposed plan the current plan (one undo step).</source>
        <translation>将建议方案设为当前方案（可一步撤销）。</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>放弃(&amp;D)</translation>
    </message>
    <message>
        <source>Forget the proposal and keep the current plan.</source>
        <translation>放弃建议，保留当前方案。</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <source>Target:</source>
        <translation>目标：</translation>
    </message>
    <message>
        <source>Allowed accuracy loss:</source>
        <translation>允许的准确率损失：</translation>
    </message>
    <message>
        <source>Fit the plan to a budget from the sensitivity analysis.</source>
        <translation>根据敏感度分析使方案符合预算。</translation>
    </message>
    <message>
        <source>%1 MACs</source>
        <translation>%1 MACs</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 个参数</translation>
    </message>
    <message>
        <source> %</source>
        <translation> %</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source> M MACs</source>
        <translation> M MACs</translation>
    </message>
    <message>
        <source> M parameters</source>
        <translation> M 参数</translation>
    </message>
    <message>
        <source>The original model has %1.</source>
        <translation>原始模型为 %1。</translation>
    </message>
    <message>
        <source>Fitting the plan to the budget…</source>
        <translation>正在使方案符合预算…</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 % of the original</source>
        <translation>原始模型的 %1 %</translation>
    </message>
    <message>
        <source>%1: %2, target %3: met.</source>
        <translation>%1：%2，目标 %3：已达成。</translation>
    </message>
    <message>
        <source>%1: %2, target %3: not reached even at the largest measured pruning ratios.</source>
        <translation>%1：%2，目标 %3：即使采用测得的最大剪枝比例也无法达成。</translation>
    </message>
    <message>
        <source>Predicted accuracy loss: %1 points (allowed %2).</source>
        <translation>预计准确率损失：%1 个百分点（允许 %2）。</translation>
    </message>
    <message>
        <source>Predicted accuracy loss: %1 points, more than the %2 allowed.</source>
        <translation>预计准确率损失：%1 个百分点，超过允许的 %2。</translation>
    </message>
    <message>
        <source>How much top-1 accuracy (in percentage points) the proposal may give up, measured on the sensitivity analysis&apos;s images.</source>
        <translation>建议方案最多可损失多少 top-1 准确率（百分点），在敏感度分析所用的图像上测量。</translation>
    </message>
    <message>
        <source>Compute a per-layer pruning plan that meets the target from the measured sensitivity, then measure it (after recovery when Recover is on) and adjust it until it keeps the allowed loss.</source>
        <translation>根据测得的敏感度计算满足目标的逐层剪枝方案，然后测量它（开启恢复时在恢复之后），并调整到损失不超过允许值为止。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop measuring; the current plan stays as it is.</source>
        <translation>停止测量；当前方案保持不变。</translation>
    </message>
    <message>
        <source>Plans measured, of at most this many</source>
        <translation>已测量的方案数，最多这么多</translation>
    </message>
    <message>
        <source>Fitting: %1 (%2 of at most %3 plans measured)…</source>
        <translation>拟合中：%1（已测量 %2 个方案，最多 %3 个）…</translation>
    </message>
    <message>
        <source>Fitting: %1…</source>
        <translation>拟合中：%1…</translation>
    </message>
    <message>
        <source>%1: %2, target %3: not reached.</source>
        <translation>%1：%2，目标 %3：未达到。</translation>
    </message>
    <message>
        <source>%1 points before recovery, %2 after</source>
        <translation>恢复前 %1 个百分点，恢复后 %2 个百分点</translation>
    </message>
    <message>
        <source>%1 points</source>
        <translation>%1 个百分点</translation>
    </message>
    <message>
        <source>Accuracy loss predicted %1 points, measured %2 (allowed %3).</source>
        <translation>准确率损失：预计 %1 个百分点，实测 %2（允许 %3）。</translation>
    </message>
    <message numerus="yes">
        <source>Out of reach at this loss: none of the %n plans measured kept within %1 points; this is the one that lost least.</source>
        <translation>
            <numerusform>在此损失下无法达到：测量的 %n 个方案都没有把损失控制在 %1 个百分点以内；这是损失最小的一个。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The target is out of reach at this loss: this is the most compressed of the %n plans measured that kept within %1 points.</source>
        <translation>
            <numerusform>在此损失下无法达到目标：这是测量的 %n 个方案中损失不超过 %1 个百分点且压缩最多的一个。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Found after measuring %n plans.</source>
        <translation>
            <numerusform>测量了 %n 个方案后找到。</numerusform>
        </translation>
    </message>
    <message>
        <source>Plan from the sweep after recovery</source>
        <translation>按恢复后的敏感度扫描制定方案</translation>
    </message>
    <message>
        <source>With Recover on: measure every sensitivity point again after recovering its single-layer plan, and propose from those losses. Slower the first time; it favours the layers recovery repairs best.</source>
        <translation>开启恢复时：对每个敏感度点的单层方案先做恢复再重新测量，并据这些损失提出方案。第一次较慢；它会偏向恢复修复得最好的层。</translation>
    </message>
</context>
<context>
    <name>topiary::ChannelRoundingAction</name>
    <message>
        <source>Keep Channel Counts Multiples of &amp;8</source>
        <translation>通道数保持为 8 的倍数(&amp;8)</translation>
    </message>
    <message>
        <source>Filter pruning keeps a multiple of 8 channels in every layer: fast kernels need aligned widths, and an unaligned shrunk model can run slower than the original</source>
        <translation>滤波器剪枝在每一层保留 8 的倍数个通道：快速内核需要对齐的宽度，未对齐的缩减模型可能比原模型运行得更慢</translation>
    </message>
    <message>
        <source>Keep channel counts multiples of 8</source>
        <translation>通道数保持为 8 的倍数</translation>
    </message>
    <message>
        <source>Stop rounding channel counts</source>
        <translation>不再对通道数取整</translation>
    </message>
</context>
<context>
    <name>topiary::ColorLegend</name>
    <message>
        <source>Colour scale of the metric the graph is coloured by.</source>
        <translation>图中着色所用指标的色标。</translation>
    </message>
    <message>
        <source>Boxes are coloured by %1, from %2 (dark blue) to %3 (yellow); grey: no value.</source>
        <translation>方框按%1着色，从 %2（深蓝）到 %3（黄色）；灰色：无数值。</translation>
    </message>
</context>
<context>
    <name>topiary::ComparePane</name>
    <message>
        <source>Criteria measured</source>
        <translation>准则已测量</translation>
    </message>
    <message>
        <source>Criteria measurement stopped; the measured criteria are kept</source>
        <translation>准则测量已停止；已测量的准则予以保留</translation>
    </message>
    <message>
        <source>Select a layer to compare its pruning criteria.</source>
        <translation>选择一个层以比较其剪枝准则。</translation>
    </message>
    <message>
        <source>Select a layer first.</source>
        <translation>请先选择一个层。</translation>
    </message>
    <message>
        <source>Open a dataset first (File → Open Dataset): accuracy is measured on images.</source>
        <translation>请先打开数据集（文件 → 打开数据集）：准确率需要在图像上测量。</translation>
    </message>
</context>
<context>
    <name>topiary::CriteriaComparisonRunner</name>
    <message>
        <source>Criteria are already being measured.</source>
        <translation>正在测量各准则。</translation>
    </message>
</context>
<context>
    <name>topiary::CriteriaComparisonView</name>
    <message>
        <source>L1</source>
        <translation>L1</translation>
    </message>
    <message>
        <source>L2</source>
        <translation>L2</translation>
    </message>
    <message>
        <source>FPGM</source>
        <translation>FPGM</translation>
    </message>
    <message>
        <source>APoZ</source>
        <translation>APoZ</translation>
    </message>
    <message>
        <source>BN scale</source>
        <translation>BN 缩放</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Prune:</source>
        <translation>剪枝：</translation>
    </message>
    <message>
        <source>Fraction of this layer&apos;s filters each criterion removes.</source>
        <translation>每个准则移除本层滤波器的比例。</translation>
    </message>
    <message>
        <source>Measure accuracy</source>
        <translation>测量准确率</translation>
    </message>
    <message>
        <source>Evaluate the model pruned by each criterion on the open dataset, the rest of the plan unchanged.</source>
        <translation>在已打开的数据集上评估按各准则剪枝后的模型，计划的其余部分保持不变。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop measuring; criteria already measured keep their bars.</source>
        <translation>停止测量；已测量的准则保留其柱形。</translation>
    </message>
    <message>
        <source>Runs done: the current plan, then one per criterion.</source>
        <translation>已完成的运行：先是当前计划，然后每个准则一次。</translation>
    </message>
    <message>
        <source>Filters by rank (1 = most important); shaded: removed; click a filter to follow it</source>
        <translation>按排名列出的滤波器（1 = 最重要）；阴影：被移除；点击滤波器以跟踪它</translation>
    </message>
    <message>
        <source>Each column ranks the layer&apos;s filters by one criterion; hover or click a filter to see it in every column.</source>
        <translation>每一列按一个准则对本层滤波器排名；悬停或点击滤波器可在每一列中看到它。</translation>
    </message>
    <message>
        <source>Overlap of the removed filters</source>
        <translation>被移除滤波器的重叠</translation>
    </message>
    <message>
        <source>Jaccard index of two criteria&apos;s removed filters: shared / removed by either.</source>
        <translation>两个准则所移除滤波器的 Jaccard 指数：共同移除的 / 任一准则移除的。</translation>
    </message>
    <message>
        <source>Criterion</source>
        <translation>准则</translation>
    </message>
    <message>
        <source>%1 (n/a)</source>
        <translation>%1（不可用）</translation>
    </message>
    <message numerus="yes">
        <source>%1 removes %n filter(s).</source>
        <translation>
            <numerusform>%1 移除 %n 个滤波器。</numerusform>
        </translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>不可用</translation>
    </message>
    <message>
        <source>Filter %1: rank %2 of %3, score %4; removed.</source>
        <translation>滤波器 %1：排名 %2/%3，得分 %4；被移除。</translation>
    </message>
    <message>
        <source>Filter %1: rank %2 of %3, score %4; kept.</source>
        <translation>滤波器 %1：排名 %2/%3，得分 %4；保留。</translation>
    </message>
    <message>
        <source>Select a layer to compare its pruning criteria.</source>
        <translation>选择一个层以比较其剪枝准则。</translation>
    </message>
    <message numerus="yes">
        <source>%1: %n filter(s)</source>
        <translation>
            <numerusform>%1：%n 个滤波器</numerusform>
        </translation>
    </message>
    <message>
        <source>Hover or click a filter to see its rank by every criterion.</source>
        <translation>悬停或点击滤波器，查看它在每个准则下的排名。</translation>
    </message>
    <message>
        <source>%1 rank %2 (removed)</source>
        <translation>%1 排名 %2（被移除）</translation>
    </message>
    <message>
        <source>%1 rank %2</source>
        <translation>%1 排名 %2</translation>
    </message>
    <message>
        <source>Filter %1: %2</source>
        <translation>滤波器 %1：%2</translation>
    </message>
    <message>
        <source>Not available for this layer.</source>
        <translation>此层不可用。</translation>
    </message>
    <message>
        <source>%1 and %2 remove %3 of the same filters (Jaccard index).</source>
        <translation>%1 与 %2 移除的滤波器重合度为 %3（Jaccard 指数）。</translation>
    </message>
    <message>
        <source>Agreement with the original (%)</source>
        <translation>与原模型的一致率（%）</translation>
    </message>
    <message>
        <source>Top-1 accuracy (%)</source>
        <translation>Top-1 准确率（%）</translation>
    </message>
    <message>
        <source>Not measured yet</source>
        <translation>尚未测量</translation>
    </message>
    <message>
        <source>current plan %1</source>
        <translation>当前计划 %1</translation>
    </message>
    <message>
        <source>Measuring the current plan…</source>
        <translation>正在测量当前计划…</translation>
    </message>
    <message>
        <source>Measuring %1…</source>
        <translation>正在测量 %1…</translation>
    </message>
    <message>
        <source>Stopped: %1 of %2 runs done.</source>
        <translation>已停止：完成 %1/%2 次运行。</translation>
    </message>
    <message numerus="yes">
        <source>Measured on %n image(s).</source>
        <translation>
            <numerusform>在 %n 张图像上测量。</numerusform>
        </translation>
    </message>
    <message>
        <source>Measure accuracy to see what each choice costs.</source>
        <translation>测量准确率，看看每种选择的代价。</translation>
    </message>
    <message>
        <source>Top-1 accuracy (agreement with the original on unlabelled images) after pruning this layer by each criterion, with 95 % intervals; dashed: the current plan.</source>
        <translation>按各准则剪枝本层后的 Top-1 准确率（无标签图像上为与原模型的一致率）及 95% 区间；虚线：当前计划。</translation>
    </message>
</context>
<context>
    <name>topiary::DatasetDialog</name>
    <message>
        <source>Image Folder (one sub-folder per class)</source>
        <translation>图像文件夹（每类一个子文件夹）</translation>
    </message>
    <message>
        <source>Image List</source>
        <translation>图像列表</translation>
    </message>
    <message>
        <source>Image lists (*.csv *.tsv *.txt);;All files (*)</source>
        <translation>图像列表 (*.csv *.tsv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>IDX Images File</source>
        <translation>IDX 图像文件</translation>
    </message>
    <message>
        <source>IDX files (*-idx3-ubyte *.idx3 *.gz);;All files (*)</source>
        <translation>IDX 文件 (*-idx3-ubyte *.idx3 *.gz);;所有文件 (*)</translation>
    </message>
    <message>
        <source>No preprocessing found: %1</source>
        <translation>未找到预处理：%1</translation>
    </message>
    <message>
        <source>Found: %1.</source>
        <translation>找到：%1。</translation>
    </message>
    <message>
        <source>No preprocess.json beside the model or the data, and no mean or std in the model&apos;s metadata: these are guesses from the input shape. Check them against how the model was trained.</source>
        <translation>模型和数据旁都没有 preprocess.json，模型元数据中也没有均值或标准差：这些值是根据输入形状推测的。请对照模型的训练方式检查它们。</translation>
    </message>
    <message>
        <source>Choose an image folder, a list or an IDX file.</source>
        <translation>请选择图像文件夹、列表或 IDX 文件。</translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 不存在。</translation>
    </message>
    <message>
        <source>%1 is a file; an image folder is a folder.</source>
        <translation>%1 是文件；图像文件夹必须是文件夹。</translation>
    </message>
    <message>
        <source>%1 is a folder; choose Image folder for it.</source>
        <translation>%1 是文件夹；请为它选择“图像文件夹”。</translation>
    </message>
    <message>
        <source>The preprocessing does not fit the model: %1</source>
        <translation>预处理与模型不符：%1</translation>
    </message>
    <message>
        <source>Reading the images and running the model on up to %1 of them…</source>
        <translation>正在读取图像，并在最多 %1 张图像上运行模型…</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) read</source>
        <translation>
            <numerusform>已读取 %n 张图像</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n skipped</source>
        <translation>
            <numerusform>跳过 %n 张</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n other file(s) ignored</source>
        <translation>
            <numerusform>忽略 %n 个其他文件</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unlabelled</source>
        <translation>
            <numerusform>%n 张无标签</numerusform>
        </translation>
    </message>
    <message>
        <source>No image skipped.</source>
        <translation>没有跳过任何图像。</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Preprocessing</source>
        <translation>预处理</translation>
    </message>
    <message>
        <source>Preview: label → the model&apos;s prediction</source>
        <translation>预览：标签 → 模型的预测</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Image folder</source>
        <translation>图像文件夹</translation>
    </message>
    <message>
        <source>A folder with one sub-folder of images per class, as torchvision&apos;s ImageFolder.</source>
        <translation>每类一个图像子文件夹的文件夹，与 torchvision 的 ImageFolder 相同。</translation>
    </message>
    <message>
        <source>List (.csv, .tsv)</source>
        <translation>列表（.csv、.tsv）</translation>
    </message>
    <message>
        <source>A text file of path,label lines; paths relative to the list&apos;s folder.</source>
        <translation>由 path,label 行组成的文本文件；路径相对于列表所在的文件夹。</translation>
    </message>
    <message>
        <source>IDX file</source>
        <translation>IDX 文件</translation>
    </message>
    <message>
        <source>MNIST-style images file; its labels file is found by name beside it.</source>
        <translation>MNIST 格式的图像文件；其标签文件按名称在旁边查找。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Look Again</source>
        <translation>重新查找</translation>
    </message>
    <message>
        <source>Take the preprocessing from preprocess.json beside the model or the data, the model&apos;s metadata, or the input shape, replacing the fields above.</source>
        <translation>从模型或数据旁的 preprocess.json、模型元数据或输入形状获取预处理，替换上面的字段。</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Use Dataset</source>
        <translation>使用数据集</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message numerus="yes">
        <source>The unmodified model gets %1 (95 % interval %2 to %3) on %n image(s).</source>
        <translation>
            <numerusform>未修改的模型在 %n 张图像上的准确率为 %1（95 % 区间 %2 至 %3）。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>That is near chance (%1 for %n classes): the preprocessing is most likely not the one the model was trained with. Check the size, scale, mean and std, the channel order and the order of the class names.</source>
        <translation>
            <numerusform>这接近随机猜测（%n 个类别时为 %1）：预处理很可能与模型训练时不同。请检查尺寸、缩放、均值和标准差、通道顺序以及类别名称的顺序。</numerusform>
        </translation>
    </message>
    <message>
        <source>The data has no labels: the preview shows the model&apos;s predictions only.</source>
        <translation>数据没有标签：预览只显示模型的预测。</translation>
    </message>
</context>
<context>
    <name>topiary::DatasetPreview</name>
    <message>
        <source>unlabelled</source>
        <translation>无标签</translation>
    </message>
    <message>
        <source>not run</source>
        <translation>未运行</translation>
    </message>
    <message>
        <source>Label: %1
The model predicts: %2
%3</source>
        <translation>标签：%1
模型预测：%2
%3</translation>
    </message>
    <message>
        <source>→ %1</source>
        <translation>→ %1</translation>
    </message>
</context>
<context>
    <name>topiary::Document</name>
    <message>
        <source>Unrecorded edits</source>
        <translation>未记录的编辑</translation>
    </message>
    <message>
        <source>Change plan</source>
        <translation>修改方案</translation>
    </message>
    <message>
        <source>original</source>
        <translation>原始</translation>
    </message>
    <message>
        <source>fine-tuned: %1</source>
        <translation>微调后：%1</translation>
    </message>
    <message>
        <source>Fine-tuned: %1 top-1 → %2</source>
        <translation>已微调：top-1 %1 → %2</translation>
    </message>
</context>
<context>
    <name>topiary::ExplainPanel</name>
    <message>
        <source>BN scale</source>
        <translation>BN 缩放</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>no filters</source>
        <translation>无滤波器</translation>
    </message>
    <message numerus="yes">
        <source> and %n more</source>
        <translation>
            <numerusform>，另有 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>Which filters to prune</source>
        <translation>剪除哪些滤波器</translation>
    </message>
    <message>
        <source>&lt;b&gt;L1&lt;/b&gt; scores a filter by the size of its weights; a small filter adds little to the output:</source>
        <translation>&lt;b&gt;L1&lt;/b&gt; 按权重大小为滤波器打分；较小的滤波器对输出贡献较少：</translation>
    </message>
    <message>
        <source>score&lt;sub&gt;f&lt;/sub&gt; = ‖W&lt;sub&gt;f&lt;/sub&gt;‖&lt;sub&gt;1&lt;/sub&gt; = Σ |w|</source>
        <translation>score&lt;sub&gt;f&lt;/sub&gt; = ‖W&lt;sub&gt;f&lt;/sub&gt;‖&lt;sub&gt;1&lt;/sub&gt; = Σ |w|</translation>
    </message>
    <message>
        <source>&lt;b&gt;FPGM&lt;/b&gt; scores a filter by its summed distance to the others; a filter close to all of them (near their geometric median) is redundant, whatever its size:</source>
        <translation>&lt;b&gt;FPGM&lt;/b&gt; 按滤波器到其他滤波器的距离之和打分；与其他所有滤波器都接近（靠近几何中位数）的滤波器是冗余的，无论其大小：</translation>
    </message>
    <message>
        <source>score&lt;sub&gt;f&lt;/sub&gt; = Σ&lt;sub&gt;g&lt;/sub&gt; ‖W&lt;sub&gt;f&lt;/sub&gt; − W&lt;sub&gt;g&lt;/sub&gt;‖&lt;sub&gt;2&lt;/sub&gt;</source>
        <translation>score&lt;sub&gt;f&lt;/sub&gt; = Σ&lt;sub&gt;g&lt;/sub&gt; ‖W&lt;sub&gt;f&lt;/sub&gt; − W&lt;sub&gt;g&lt;/sub&gt;‖&lt;sub&gt;2&lt;/sub&gt;</translation>
    </message>
    <message>
        <source>Each criterion removes the filters with the lowest scores.</source>
        <translation>每种准则都移除得分最低的滤波器。</translation>
    </message>
    <message>
        <source>Here, at the plan&apos;s %1 of the %2 filters (%3 each): </source>
        <translation>此处按方案剪除 %2 个滤波器中的 %1（各 %3 个）：</translation>
    </message>
    <message>
        <source>Here, at %1 of the %2 filters (%3 each; the plan prunes none, so a default is used): </source>
        <translation>此处按 %2 个滤波器中的 %1（各 %3 个；方案未剪除任何滤波器，因此使用默认值）：</translation>
    </message>
    <message>
        <source>FPGM would prune filters %1</source>
        <translation>FPGM 会剪除滤波器 %1</translation>
    </message>
    <message>
        <source>L1 would prune filters %1</source>
        <translation>L1 会剪除滤波器 %1</translation>
    </message>
    <message>
        <source>; they agree on %1 of %2 (Jaccard |A∩B| / |A∪B| = %3).</source>
        <translation>；两者在 %2 个中有 %1 个一致（Jaccard |A∩B| / |A∪B| = %3）。</translation>
    </message>
    <message>
        <source>The plan removes %1 of the %2 filters by %3: %4 (through the layer&apos;s dependency group, so coupled layers prune the same channels).</source>
        <translation>方案按 %3 移除 %2 个滤波器中的 %1 个：%4（通过该层的依赖组进行，因此耦合的层剪除相同的通道）。</translation>
    </message>
    <message>
        <source>Uniform %1-bit quantization, %2, %3</source>
        <translation>%1 位均匀量化，%2，%3</translation>
    </message>
    <message>
        <source>per channel</source>
        <translation>逐通道</translation>
    </message>
    <message>
        <source>per tensor</source>
        <translation>逐张量</translation>
    </message>
    <message>
        <source>symmetric</source>
        <translation>对称</translation>
    </message>
    <message>
        <source>asymmetric</source>
        <translation>非对称</translation>
    </message>
    <message>
        <source>Each weight is rounded to a grid of evenly spaced levels; the integer q is stored in b bits and the layer computes with ŵ:</source>
        <translation>每个权重被舍入到等间距的量化级上；整数 q 以 b 位存储，层使用 ŵ 进行计算：</translation>
    </message>
    <message>
        <source>q = clamp(round(w / s) + z, q&lt;sub&gt;min&lt;/sub&gt;, q&lt;sub&gt;max&lt;/sub&gt;),  ŵ = (q − z)·s</source>
        <translation>q = clamp(round(w / s) + z, q&lt;sub&gt;min&lt;/sub&gt;, q&lt;sub&gt;max&lt;/sub&gt;),  ŵ = (q − z)·s</translation>
    </message>
    <message>
        <source>Symmetric, so zero stays exact:</source>
        <translation>对称量化，因此零值保持精确：</translation>
    </message>
    <message>
        <source>s = max|w| / (2&lt;sup&gt;b−1&lt;/sup&gt; − 1),  z = 0</source>
        <translation>s = max|w| / (2&lt;sup&gt;b−1&lt;/sup&gt; − 1),  z = 0</translation>
    </message>
    <message>
        <source>Asymmetric, over the weights&apos; range widened to include 0:</source>
        <translation>非对称量化，范围为扩展到包含 0 的权重范围：</translation>
    </message>
    <message>
        <source>s = (max w − min w) / (2&lt;sup&gt;b&lt;/sup&gt; − 1),  z = round(−min w / s)</source>
        <translation>s = (max w − min w) / (2&lt;sup&gt;b&lt;/sup&gt; − 1),  z = round(−min w / s)</translation>
    </message>
    <message>
        <source>s = %1</source>
        <translation>s = %1</translation>
    </message>
    <message>
        <source> (the widest of %1 channels, channel %2)</source>
        <translation>（%1 个通道中范围最宽的通道 %2）</translation>
    </message>
    <message>
        <source>, z = %1</source>
        <translation>，z = %1</translation>
    </message>
    <message>
        <source>Here %1; %2 levels (q from %3 to %4), representable range [%5, %6] against weights in [%7, %8]; %9 of the weights are clipped (the scale comes from the largest |w|, so none need be).</source>
        <translation>此处 %1；共 %2 个量化级（q 从 %3 到 %4），可表示范围 [%5, %6]，权重范围 [%7, %8]；有 %9 的权重被截断（缩放因子取自最大的 |w|，因此无需截断）。</translation>
    </message>
    <message>
        <source>How much the weights changed, as a mean squared error and as a signal-to-noise ratio (each extra bit adds about 6 dB):</source>
        <translation>权重的变化程度，以均方误差和信噪比表示（每多一位约增加 6 dB）：</translation>
    </message>
    <message>
        <source>MSE = mean (w − ŵ)&lt;sup&gt;2&lt;/sup&gt; = %1</source>
        <translation>MSE = mean (w − ŵ)&lt;sup&gt;2&lt;/sup&gt; = %1</translation>
    </message>
    <message>
        <source>SQNR = 10·log&lt;sub&gt;10&lt;/sub&gt;(Σ w&lt;sup&gt;2&lt;/sup&gt; / Σ (w − ŵ)&lt;sup&gt;2&lt;/sup&gt;) = &lt;b&gt;%1 dB&lt;/b&gt;</source>
        <translation>SQNR = 10·log&lt;sub&gt;10&lt;/sub&gt;(Σ w&lt;sup&gt;2&lt;/sup&gt; / Σ (w − ŵ)&lt;sup&gt;2&lt;/sup&gt;) = &lt;b&gt;%1 dB&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Codebook (k-means) quantization, %1 bits</source>
        <translation>码本（k-means）量化，%1 位</translation>
    </message>
    <message>
        <source>k-means picks 2&lt;sup&gt;b&lt;/sup&gt; centroids c&lt;sub&gt;j&lt;/sub&gt;; each weight stores only the index j of its nearest centroid, and ŵ = c&lt;sub&gt;j&lt;/sub&gt;:</source>
        <translation>k-means 选出 2&lt;sup&gt;b&lt;/sup&gt; 个质心 c&lt;sub&gt;j&lt;/sub&gt;；每个权重只存储最近质心的索引 j，且 ŵ = c&lt;sub&gt;j&lt;/sub&gt;：</translation>
    </message>
    <message>
        <source>minimize Σ (w − c&lt;sub&gt;j(w)&lt;/sub&gt;)&lt;sup&gt;2&lt;/sup&gt;</source>
        <translation>最小化 Σ (w − c&lt;sub&gt;j(w)&lt;/sub&gt;)&lt;sup&gt;2&lt;/sup&gt;</translation>
    </message>
    <message>
        <source>Here %1 centroids from %2 to %3, against weights in [%4, %5].</source>
        <translation>此处有 %1 个质心，从 %2 到 %3，权重范围为 [%4, %5]。</translation>
    </message>
    <message>
        <source>Binary weights</source>
        <translation>二值权重</translation>
    </message>
    <message>
        <source>Each weight keeps only its sign: ŵ = sign(w)·α&lt;sub&gt;c&lt;/sub&gt;, with α&lt;sub&gt;c&lt;/sub&gt; = mean |w| of its output channel. Here α = %1 in the widest of %2 channels.</source>
        <translation>每个权重只保留符号：ŵ = sign(w)·α&lt;sub&gt;c&lt;/sub&gt;，其中 α&lt;sub&gt;c&lt;/sub&gt; 为其输出通道的 mean |w|。此处在 %2 个通道中范围最宽的通道上 α = %1。</translation>
    </message>
    <message>
        <source>Ternary weights</source>
        <translation>三值权重</translation>
    </message>
    <message>
        <source>Weights with |w| ≤ 0.7·mean|w| become 0, the others ±α&lt;sub&gt;c&lt;/sub&gt;, the mean |w| of those kept in their output channel. Here α = %1 in the widest of %2 channels.</source>
        <translation>|w| ≤ 0.7·mean|w| 的权重变为 0，其余变为 ±α&lt;sub&gt;c&lt;/sub&gt;，即其输出通道中保留权重的 mean |w|。此处在 %2 个通道中范围最宽的通道上 α = %1。</translation>
    </message>
    <message>
        <source>Half precision</source>
        <translation>半精度</translation>
    </message>
    <message>
        <source>Each weight is rounded to the nearest 16-bit float (11 significant bits), halving its storage.</source>
        <translation>每个权重被舍入到最接近的 16 位浮点数（11 位有效位），存储减半。</translation>
    </message>
    <message>
        <source>Huffman coding of the indices</source>
        <translation>索引的哈夫曼编码</translation>
    </message>
    <message>
        <source>Stored plainly, every index takes b = %1 bits. Huffman coding gives frequent centroids short codes and rare ones long codes; with p&lt;sub&gt;j&lt;/sub&gt; the share of weights on centroid j and ℓ&lt;sub&gt;j&lt;/sub&gt; its code length, the average is within one bit of the entropy:</source>
        <translation>直接存储时，每个索引占 b = %1 位。哈夫曼编码为常见质心分配短码、为罕见质心分配长码；设 p&lt;sub&gt;j&lt;/sub&gt; 为落在质心 j 上的权重比例、ℓ&lt;sub&gt;j&lt;/sub&gt; 为其码长，则平均码长与熵相差不到一位：</translation>
    </message>
    <message>
        <source>bits per weight = Σ p&lt;sub&gt;j&lt;/sub&gt;·ℓ&lt;sub&gt;j&lt;/sub&gt;  ≥  −Σ p&lt;sub&gt;j&lt;/sub&gt;·log&lt;sub&gt;2&lt;/sub&gt; p&lt;sub&gt;j&lt;/sub&gt;</source>
        <translation>每权重位数 = Σ p&lt;sub&gt;j&lt;/sub&gt;·ℓ&lt;sub&gt;j&lt;/sub&gt;  ≥  −Σ p&lt;sub&gt;j&lt;/sub&gt;·log&lt;sub&gt;2&lt;/sub&gt; p&lt;sub&gt;j&lt;/sub&gt;</translation>
    </message>
    <message>
        <source>Here %1 of %2 centroids occur, with codes of %3 to %4 bits: &lt;b&gt;%5 bits per weight&lt;/b&gt; instead of %6, %7 bits for the layer&apos;s %8 weights.</source>
        <translation>此处 %2 个质心中出现了 %1 个，码长 %3 到 %4 位：&lt;b&gt;每权重 %5 位&lt;/b&gt;，而非 %6 位；该层 %8 个权重共 %7 位。</translation>
    </message>
    <message>
        <source> After pruning, and with the codebook and its code table, the stats count %1 for this layer.</source>
        <translation> 计入剪枝、码本及其码表后，统计中该层为 %1。</translation>
    </message>
    <message>
        <source>Low rank r = %1</source>
        <translation>低秩 r = %1</translation>
    </message>
    <message>
        <source>The filters form a matrix W (m × n, a row per filter). Its truncated SVD is the best rank-r approximation, and the layer becomes two: r filters V&lt;sub&gt;r&lt;/sub&gt;&lt;sup&gt;T&lt;/sup&gt;, then a 1×1 layer U&lt;sub&gt;r&lt;/sub&gt;Σ&lt;sub&gt;r&lt;/sub&gt;:</source>
        <translation>滤波器构成矩阵 W（m × n，每个滤波器一行）。其截断 SVD 是最佳的秩 r 近似，该层变为两层：先是 r 个滤波器 V&lt;sub&gt;r&lt;/sub&gt;&lt;sup&gt;T&lt;/sup&gt;，再是 1×1 层 U&lt;sub&gt;r&lt;/sub&gt;Σ&lt;sub&gt;r&lt;/sub&gt;：</translation>
    </message>
    <message>
        <source>W ≈ U&lt;sub&gt;r&lt;/sub&gt; Σ&lt;sub&gt;r&lt;/sub&gt; V&lt;sub&gt;r&lt;/sub&gt;&lt;sup&gt;T&lt;/sup&gt;</source>
        <translation>W ≈ U&lt;sub&gt;r&lt;/sub&gt; Σ&lt;sub&gt;r&lt;/sub&gt; V&lt;sub&gt;r&lt;/sub&gt;&lt;sup&gt;T&lt;/sup&gt;</translation>
    </message>
    <message>
        <source>The singular values σ&lt;sub&gt;i&lt;/sub&gt; measure how much of W each direction carries; the share of its energy kept is:</source>
        <translation>奇异值 σ&lt;sub&gt;i&lt;/sub&gt; 衡量每个方向承载了 W 的多少；保留的能量比例为：</translation>
    </message>
    <message>
        <source>Σ&lt;sub&gt;i≤r&lt;/sub&gt; σ&lt;sub&gt;i&lt;/sub&gt;&lt;sup&gt;2&lt;/sup&gt; / Σ&lt;sub&gt;i&lt;/sub&gt; σ&lt;sub&gt;i&lt;/sub&gt;&lt;sup&gt;2&lt;/sup&gt;</source>
        <translation>Σ&lt;sub&gt;i≤r&lt;/sub&gt; σ&lt;sub&gt;i&lt;/sub&gt;&lt;sup&gt;2&lt;/sup&gt; / Σ&lt;sub&gt;i&lt;/sub&gt; σ&lt;sub&gt;i&lt;/sub&gt;&lt;sup&gt;2&lt;/sup&gt;</translation>
    </message>
    <message>
        <source>Here W is %1 × %2, σ&lt;sub&gt;1&lt;/sub&gt; = %3 and σ&lt;sub&gt;%4&lt;/sub&gt; = %5: rank %4 keeps &lt;b&gt;%6&lt;/b&gt; of the energy (relative error ‖W − W&lt;sub&gt;r&lt;/sub&gt;‖&lt;sub&gt;F&lt;/sub&gt; / ‖W‖&lt;sub&gt;F&lt;/sub&gt; = %7). Parameters go from m·n = %8 to r·(m + n) = %9.</source>
        <translation>此处 W 为 %1 × %2，σ&lt;sub&gt;1&lt;/sub&gt; = %3，σ&lt;sub&gt;%4&lt;/sub&gt; = %5：秩 %4 保留了 &lt;b&gt;%6&lt;/b&gt; 的能量（相对误差 ‖W − W&lt;sub&gt;r&lt;/sub&gt;‖&lt;sub&gt;F&lt;/sub&gt; / ‖W‖&lt;sub&gt;F&lt;/sub&gt; = %7）。参数量从 m·n = %8 变为 r·(m + n) = %9。</translation>
    </message>
    <message>
        <source>Not explained here: %1.</source>
        <translation>此处不作解释：%1。</translation>
    </message>
    <message>
        <source>Explains in words and formulas what the selected layer&apos;s plan computes, on this layer&apos;s weights.</source>
        <translation>用文字和公式解释所选层的方案在该层权重上计算了什么。</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <source>Low rank</source>
        <translation>低秩</translation>
    </message>
    <message>
        <source>Nothing to explain: this layer has no filter scores and its plan leaves it unchanged.</source>
        <translation>无可解释内容：该层没有滤波器得分，且方案未改变它。</translation>
    </message>
    <message>
        <source>Select a layer to see what its plan computes, with the formulas and this layer&apos;s numbers.</source>
        <translation>选择一个层，查看其方案计算的内容、公式以及该层的数值。</translation>
    </message>
    <message>
        <source>What APoZ measured</source>
        <translation>APoZ 测量了什么</translation>
    </message>
    <message>
        <source>&lt;b&gt;APoZ&lt;/b&gt;, the Average Percentage of Zeros, runs the original model on the dataset&apos;s images and counts how often each channel&apos;s activation after the layer&apos;s ReLU is exactly zero; a channel that is almost always zero passes little on. Filters are ranked by 1 − APoZ, so the most often silent go first:</source>
        <translation>&lt;b&gt;APoZ&lt;/b&gt;（零值平均百分比）在数据集图像上运行原模型，统计每个通道在该层 ReLU 之后的激活恰好为零的频率；几乎总是为零的通道传递的信息很少。滤波器按 1 − APoZ 排名，因此最常沉默的最先被剪掉：</translation>
    </message>
    <message>
        <source>APoZ&lt;sub&gt;c&lt;/sub&gt; = (activations of c equal to 0) / (activations of c counted)</source>
        <translation>APoZ&lt;sub&gt;c&lt;/sub&gt; = （c 中等于 0 的激活数）/（c 中统计的激活数）</translation>
    </message>
    <message>
        <source>Not defined for this layer: %1.</source>
        <translation>此层无定义：%1。</translation>
    </message>
    <message>
        <source>channel %1 (%2)</source>
        <translation>通道 %1（%2）</translation>
    </message>
    <message>
        <source>Here, on one image (%2 activations per channel at %3): </source>
        <translation>此处，在一张图像上（%3 处每通道 %2 个激活）：</translation>
    </message>
    <message>
        <source>Here, on %1 images (%2 activations per channel at %3): </source>
        <translation>此处，在 %1 张图像上（%3 处每通道 %2 个激活）：</translation>
    </message>
    <message>
        <source>the mean APoZ of the %1 channels is %2; %3 of them are zero in at least 90 % of their activations. Most often zero: %4.</source>
        <translation>%1 个通道的平均 APoZ 为 %2；其中 %3 个通道至少 90% 的激活为零。最常为零的：%4。</translation>
    </message>
    <message>
        <source>What recovery changed</source>
        <translation>恢复改变了什么</translation>
    </message>
    <message>
        <source>Recovery ran the original and the compressed model on %1 calibration images (labels unused) and repaired this layer without training:</source>
        <translation>恢复在 %1 张校准图像上运行原始模型和压缩模型（不使用标签），无需训练即修复了此层：</translation>
    </message>
    <message>
        <source>&lt;b&gt;Least squares.&lt;/b&gt; The kept weights W (and bias b) were solved anew so that the layer&apos;s output on the compressed model&apos;s inputs X matches the original&apos;s output Y, with a small ridge λ:</source>
        <translation>&lt;b&gt;最小二乘。&lt;/b&gt;保留的权重 W（及偏置 b）被重新求解，使该层在压缩模型的输入 X 上的输出与原始输出 Y 相符，带一个小的岭参数 λ：</translation>
    </message>
    <message>
        <source>min&lt;sub&gt;W&lt;/sub&gt; ‖Y − X W‖&lt;sup&gt;2&lt;/sup&gt; + λ‖W‖&lt;sup&gt;2&lt;/sup&gt;,  error = Σ(y − ŷ)&lt;sup&gt;2&lt;/sup&gt; / Σy&lt;sup&gt;2&lt;/sup&gt;</source>
        <translation>min&lt;sub&gt;W&lt;/sub&gt; ‖Y − X W‖&lt;sup&gt;2&lt;/sup&gt; + λ‖W‖&lt;sup&gt;2&lt;/sup&gt;，误差 = Σ(y − ŷ)&lt;sup&gt;2&lt;/sup&gt; / Σy&lt;sup&gt;2&lt;/sup&gt;</translation>
    </message>
    <message>
        <source>Here the output error against the original was &lt;b&gt;%1&lt;/b&gt; before the refit and &lt;b&gt;%2&lt;/b&gt; after it, on the sampled positions.</source>
        <translation>此处相对原始输出的误差在重新拟合前为 &lt;b&gt;%1&lt;/b&gt;，之后为 &lt;b&gt;%2&lt;/b&gt;（在采样位置上）。</translation>
    </message>
    <message>
        <source>&lt;b&gt;BatchNorm re-estimation.&lt;/b&gt; Its running mean μ and variance σ&lt;sup&gt;2&lt;/sup&gt; became the compressed model&apos;s own statistics on the images, so the normalisation fits the activations it now receives:</source>
        <translation>&lt;b&gt;BatchNorm 重新估计。&lt;/b&gt;其运行均值 μ 和方差 σ&lt;sup&gt;2&lt;/sup&gt; 改为压缩模型自身在这些图像上的统计量，使归一化适合它现在收到的激活：</translation>
    </message>
    <message>
        <source>μ&lt;sub&gt;c&lt;/sub&gt; = mean of x&lt;sub&gt;c&lt;/sub&gt;,  σ&lt;sub&gt;c&lt;/sub&gt;&lt;sup&gt;2&lt;/sup&gt; = variance of x&lt;sub&gt;c&lt;/sub&gt; (unbiased)</source>
        <translation>μ&lt;sub&gt;c&lt;/sub&gt; = x&lt;sub&gt;c&lt;/sub&gt; 的均值，σ&lt;sub&gt;c&lt;/sub&gt;&lt;sup&gt;2&lt;/sup&gt; = x&lt;sub&gt;c&lt;/sub&gt; 的方差（无偏）</translation>
    </message>
    <message>
        <source>Here the running means of %1 channels moved by %2 on average (at most %3), and the running variances were scaled by %4 to %5.</source>
        <translation>此处 %1 个通道的运行均值平均移动了 %2（最多 %3），运行方差缩放了 %4 到 %5 倍。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Bias correction.&lt;/b&gt; Each output channel&apos;s bias moved by the difference of the mean outputs, so the compressed layer&apos;s mean output equals the original&apos;s:</source>
        <translation>&lt;b&gt;偏置校正。&lt;/b&gt;每个输出通道的偏置移动平均输出之差，使压缩层的平均输出等于原始层的：</translation>
    </message>
    <message>
        <source>b&lt;sub&gt;c&lt;/sub&gt; ← b&lt;sub&gt;c&lt;/sub&gt; + E[y&lt;sub&gt;c&lt;/sub&gt;] − E[ŷ&lt;sub&gt;c&lt;/sub&gt;]</source>
        <translation>b&lt;sub&gt;c&lt;/sub&gt; ← b&lt;sub&gt;c&lt;/sub&gt; + E[y&lt;sub&gt;c&lt;/sub&gt;] − E[ŷ&lt;sub&gt;c&lt;/sub&gt;]</translation>
    </message>
    <message>
        <source>Here %1 channels shifted, by %2 on average (at most %3).</source>
        <translation>此处 %1 个通道发生了移动，平均 %2（最多 %3）。</translation>
    </message>
    <message>
        <source>Nothing changed on this layer.</source>
        <translation>此层没有变化。</translation>
    </message>
</context>
<context>
    <name>topiary::ExportDialog</name>
    <message>
        <source>Export Compressed Model</source>
        <translation>导出压缩模型</translation>
    </message>
    <message>
        <source>Masked: pruned weights set to zero, shapes unchanged</source>
        <translation>掩码：剪除的权重置零，形状不变</translation>
    </message>
    <message>
        <source>Keeps every tensor&apos;s shape, so the file can replace the original anywhere.</source>
        <translation>保持每个张量的形状，因此该文件可在任何地方替换原模型。</translation>
    </message>
    <message>
        <source>Shrunk: pruned channels removed</source>
        <translation>瘦身：移除剪除的通道</translation>
    </message>
    <message>
        <source>Removes pruned filters and every channel coupled with them: smaller and faster.</source>
        <translation>移除剪除的滤波器及与之耦合的所有通道：更小、更快。</translation>
    </message>
    <message>
        <source>Channels:</source>
        <translation>通道：</translation>
    </message>
    <message>
        <source>Int8 QDQ for 8-bit layers (int8 weights + DequantizeLinear)</source>
        <translation>8 位层使用 Int8 QDQ（int8 权重 + DequantizeLinear）</translation>
    </message>
    <message>
        <source>Stores the weights of 8-bit uniform layers as int8, a quarter of their float size.</source>
        <translation>将 8 位均匀量化层的权重存为 int8，大小为浮点的四分之一。</translation>
    </message>
    <message>
        <source>Weights:</source>
        <translation>权重：</translation>
    </message>
    <message>
        <source>The .onnx file to write; the model you opened is never overwritten.</source>
        <translation>要写入的 .onnx 文件；不会覆盖你打开的模型。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Choose the file to write.</source>
        <translation>选择要写入的文件。</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Predicted size:</source>
        <translation>预计大小：</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>%1 (original file %2)</source>
        <translation>%1（原文件 %2）</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>Choose a file to write.</source>
        <translation>请选择要写入的文件。</translation>
    </message>
    <message>
        <source>That is the model you opened; export writes a new file and never overwrites it.</source>
        <translation>这是你打开的模型；导出会写入新文件，不会覆盖它。</translation>
    </message>
    <message>
        <source>Float16 for float16 layers (float16 weights + Cast)</source>
        <translation>float16 层存为 Float16（float16 权重 + Cast）</translation>
    </message>
    <message>
        <source>Stores the weights of float16 layers in 16 bits, half their float size, widened by a Cast when the model loads. ONNX Runtime runs it; OpenCV 4.6 cannot read float16 tensors.</source>
        <translation>以 16 位存储 float16 层的权重，大小为浮点的一半，模型加载时由 Cast 还原为 float32。ONNX Runtime 可以运行；OpenCV 4.6 无法读取 float16 张量。</translation>
    </message>
    <message>
        <source>Float32, except:</source>
        <translation>Float32，以下除外：</translation>
    </message>
    <message>
        <source>Quantized layers hold their dequantized values as 32-bit floats unless stored below.</source>
        <translation>量化层以 32 位浮点保存其反量化值，除非在下方选择其他存储方式。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Replace File?</source>
        <translation>替换文件？</translation>
    </message>
    <message>
        <source>%1 already exists. Replace it?</source>
        <translation>%1 已存在。要替换它吗？</translation>
    </message>
    <message>
        <source>%1 exists and was kept; choose another file.</source>
        <translation>%1 已存在并已保留；请选择其他文件。</translation>
    </message>
</context>
<context>
    <name>topiary::ExportTiming</name>
    <message>
        <source>OpenCV cannot run %1 (%2); time it in ONNX Runtime with: topiary-cli bench %1</source>
        <translation>OpenCV 无法运行 %1（%2）；请用 ONNX Runtime 计时：topiary-cli bench %1</translation>
    </message>
    <message>
        <source>Could not time the original model in OpenCV: %1</source>
        <translation>无法在 OpenCV 中为原模型计时：%1</translation>
    </message>
    <message>
        <source>batch %1: %2 → %3 ms per image (%4×)</source>
        <translation>批大小 %1：每张图像 %2 → %3 毫秒（%4×）</translation>
    </message>
    <message>
        <source>Latency of %1 in OpenCV dnn, 1 thread, median of %2 runs: </source>
        <translation>%1 在 OpenCV dnn 中的延迟，1 个线程，%2 次运行的中位数：</translation>
    </message>
    <message>
        <source>Latency of %1 in OpenCV dnn, %2 threads, median of %3 runs: </source>
        <translation>%1 在 OpenCV dnn 中的延迟，%2 个线程，%3 次运行的中位数：</translation>
    </message>
</context>
<context>
    <name>topiary::FinetuneDialog</name>
    <message>
        <source>%1 h %2 min left</source>
        <translation>剩余 %1 小时 %2 分</translation>
    </message>
    <message>
        <source>%1 min %2 s left</source>
        <translation>剩余 %1 分 %2 秒</translation>
    </message>
    <message>
        <source>%1 s left</source>
        <translation>剩余 %1 秒</translation>
    </message>
    <message>
        <source>Fine-tune</source>
        <translation>微调</translation>
    </message>
    <message>
        <source>&amp;Training data:</source>
        <translation>训练数据(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Validation data:</source>
        <translation>验证数据(&amp;V)：</translation>
    </message>
    <message>
        <source>all</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Train on a random subset of this many images (0 = all)</source>
        <translation>在随机抽取的这么多张图像上训练（0 = 全部）</translation>
    </message>
    <message>
        <source>Training &amp;images:</source>
        <translation>训练图像数(&amp;I)：</translation>
    </message>
    <message>
        <source>&amp;Epochs:</source>
        <translation>轮数(&amp;E)：</translation>
    </message>
    <message>
        <source>Iterative pruning: prune a little, fine-tune, prune more, to the plan&apos;s ratios</source>
        <translation>迭代剪枝：先剪一点、微调、再多剪，直到计划的比例</translation>
    </message>
    <message>
        <source>Pruning &amp;rounds:</source>
        <translation>剪枝轮次(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Batch size:</source>
        <translation>批大小(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Optimizer:</source>
        <translation>优化器(&amp;O)：</translation>
    </message>
    <message>
        <source>&amp;Learning rate:</source>
        <translation>学习率(&amp;L)：</translation>
    </message>
    <message>
        <source>&amp;Distil from the original model</source>
        <translation>从原始模型蒸馏(&amp;D)</translation>
    </message>
    <message>
        <source>Distillation:</source>
        <translation>蒸馏：</translation>
    </message>
    <message>
        <source>&amp;Write to:</source>
        <translation>写入到(&amp;W)：</translation>
    </message>
    <message>
        <source>Resume &amp;from:</source>
        <translation>从检查点继续(&amp;F)：</translation>
    </message>
    <message>
        <source>a checkpoint (optional)</source>
        <translation>检查点（可选）</translation>
    </message>
    <message>
        <source>training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>validation top-1 (%)</source>
        <translation>验证 top-1（%）</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>开始(&amp;S)</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>停止(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Open as Working Model</source>
        <translation>作为工作模型打开(&amp;O)</translation>
    </message>
    <message>
        <source>E&amp;xport…</source>
        <translation>导出(&amp;X)…</translation>
    </message>
    <message>
        <source>Choose the training data and where to write the result.</source>
        <translation>请选择训练数据以及结果的写入位置。</translation>
    </message>
    <message>
        <source>Write the Fine-tuned Model</source>
        <translation>写入微调后的模型</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>Choose a File</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <source>Export the Fine-tuned Model</source>
        <translation>导出微调后的模型</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation>无法写入 %1</translation>
    </message>
</context>
<context>
    <name>topiary::FinetuneRunner</name>
    <message>
        <source>Stopped; the last checkpoint is kept</source>
        <translation>已停止；保留最后一个检查点</translation>
    </message>
    <message>
        <source>The trainer ended without a result</source>
        <translation>训练进程结束但没有结果</translation>
    </message>
    <message>
        <source>Open a model first</source>
        <translation>请先打开模型</translation>
    </message>
    <message>
        <source>A fine-tuning run is going on</source>
        <translation>正在进行微调</translation>
    </message>
    <message>
        <source>Starting the trainer…</source>
        <translation>正在启动训练进程…</translation>
    </message>
    <message>
        <source>Stopping after this step…</source>
        <translation>将在此步之后停止…</translation>
    </message>
    <message>
        <source>Epoch %1 of %2</source>
        <translation>第 %1 轮，共 %2 轮</translation>
    </message>
    <message>
        <source>Done: %1 % top-1 on %2 validation images, written to %3</source>
        <translation>完成：在 %2 张验证图像上 top-1 为 %1 %，已写入 %3</translation>
    </message>
    <message>
        <source>Done: written to %1</source>
        <translation>完成：已写入 %1</translation>
    </message>
</context>
<context>
    <name>topiary::GraphPane</name>
    <message>
        <source>Colour &amp;by:</source>
        <translation>着色依据(&amp;B)：</translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Sparsity</source>
        <translation>稀疏度</translation>
    </message>
    <message>
        <source>Bit width</source>
        <translation>位宽</translation>
    </message>
    <message>
        <source>Share of MACs</source>
        <translation>MACs 占比</translation>
    </message>
    <message>
        <source>Share of params</source>
        <translation>参数占比</translation>
    </message>
    <message>
        <source>Sensitivity</source>
        <translation>敏感度</translation>
    </message>
    <message>
        <source>Choose the per-layer number that colours the layer boxes.</source>
        <translation>选择用于给层方框着色的逐层数值。</translation>
    </message>
    <message>
        <source>Compact</source>
        <translation>紧凑</translation>
    </message>
    <message>
        <source>Fold BatchNorm and activations into the layer before them for a shorter graph.</source>
        <translation>将 BatchNorm 和激活并入前一层，使图更短。</translation>
    </message>
    <message>
        <source>Show changes</source>
        <translation>显示改动</translation>
    </message>
    <message>
        <source>Write under each changed layer what the plan does to its channels, bits and MACs.</source>
        <translation>在每个有改动的层下方注明方案对其通道、位数和 MACs 的影响。</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>适应窗口</translation>
    </message>
    <message>
        <source>Zoom so that the whole graph fits the view (Ctrl+0).</source>
        <translation>缩放使整个图适应视图（Ctrl+0）。</translation>
    </message>
    <message>
        <source>Find layer…</source>
        <translation>查找层…</translation>
    </message>
    <message>
        <source>Type part of a layer&apos;s name and press Enter to select it.</source>
        <translation>输入层名称的一部分并按回车选中它。</translation>
    </message>
    <message>
        <source>Its filters cannot be pruned: %1</source>
        <translation>其滤波器无法剪枝：%1</translation>
    </message>
    <message>
        <source>Top-1 lost at 50 % pruning</source>
        <translation>剪枝 50 % 时的 Top-1 损失</translation>
    </message>
    <message>
        <source>%1→%2 ch</source>
        <translation>%1→%2 通道</translation>
    </message>
    <message>
        <source>in %1→%2</source>
        <translation>输入 %1→%2</translation>
    </message>
    <message>
        <source>%1 zero</source>
        <translation>%1 置零</translation>
    </message>
    <message>
        <source>%1 bit</source>
        <translation>%1 位</translation>
    </message>
    <message>
        <source>rank %1</source>
        <translation>秩 %1</translation>
    </message>
    <message>
        <source>%1 MACs</source>
        <translation>%1 MACs</translation>
    </message>
    <message>
        <source>No model is open.</source>
        <translation>没有打开的模型。</translation>
    </message>
</context>
<context>
    <name>topiary::GraphTraceAnimation</name>
    <message>
        <source>What the current hop of the trace removes. Press Esc or click the graph to clear the trace.</source>
        <translation>追踪的当前一跳所移除的内容。按 Esc 或点击图以清除追踪。</translation>
    </message>
    <message numerus="yes">
        <source> … and %n more</source>
        <translation>
            <numerusform> … 以及另外 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>Removing %1</source>
        <translation>正在移除 %1</translation>
    </message>
    <message>
        <source>Hop %1 of %2: %3</source>
        <translation>第 %1/%2 跳：%3</translation>
    </message>
    <message>
        <source>Boxes that lose this channel: %1. Press Esc or click the graph to clear.</source>
        <translation>失去此通道的方框：%1。按 Esc 或点击图以清除。</translation>
    </message>
</context>
<context>
    <name>topiary::GraphView</name>
    <message>
        <source>%1
shape unknown</source>
        <translation>%1
形状未知</translation>
    </message>
    <message>
        <source>The model&apos;s graph: wheel or Ctrl+plus/minus to zoom, drag to pan, click a layer to select it.</source>
        <translation>模型的计算图：滚轮或 Ctrl+加号/减号缩放，拖动平移，单击层以选中。</translation>
    </message>
    <message>
        <source>%1: no value</source>
        <translation>%1：无数值</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>topiary::ImportanceHeatmap</name>
    <message>
        <source>&amp;Side bar:</source>
        <translation>侧栏(&amp;S)：</translation>
    </message>
    <message>
        <source>The criterion whose per-filter scores the side bar shows; higher means more important.</source>
        <translation>侧栏显示其逐滤波器得分的准则；得分越高越重要。</translation>
    </message>
    <message>
        <source>Kernels</source>
        <translation>卷积核</translation>
    </message>
    <message>
        <source>L1 norm of every kernel (filter × input channel), with the chosen criterion beside it.</source>
        <translation>每个卷积核（滤波器 × 输入通道）的 L1 范数，旁边为所选准则。</translation>
    </message>
    <message>
        <source>Disagreement</source>
        <translation>分歧</translation>
    </message>
    <message>
        <source>Which filters each criterion would prune at the same ratio, and how much they overlap.</source>
        <translation>各准则在相同比例下会剪除哪些滤波器，以及它们的重叠程度。</translation>
    </message>
    <message>
        <source>input channel</source>
        <translation>输入通道</translation>
    </message>
    <message>
        <source>filter</source>
        <translation>滤波器</translation>
    </message>
    <message>
        <source>Kernel L1 norms; rows struck out in red are the filters the plan prunes.</source>
        <translation>卷积核 L1 范数；红色划掉的行是方案剪除的滤波器。</translation>
    </message>
    <message>
        <source>kernel L1</source>
        <translation>卷积核 L1</translation>
    </message>
    <message>
        <source>overlap (Jaccard)</source>
        <translation>重叠度（Jaccard）</translation>
    </message>
    <message>
        <source>Orange: a criterion would prune the filter; red: the plan prunes it. Right: the share of pruned filters two criteria have in common.</source>
        <translation>橙色：某准则会剪除该滤波器；红色：方案剪除它。右侧：两个准则共同剪除的滤波器占比。</translation>
    </message>
    <message>
        <source>L1 norm</source>
        <translation>L1 范数</translation>
    </message>
    <message>
        <source>L2 norm</source>
        <translation>L2 范数</translation>
    </message>
    <message>
        <source>FPGM</source>
        <translation>FPGM</translation>
    </message>
    <message>
        <source>APoZ</source>
        <translation>APoZ</translation>
    </message>
    <message>
        <source>BN scale</source>
        <translation>BN 缩放</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>FPGM distance</source>
        <translation>FPGM 距离</translation>
    </message>
    <message>
        <source>1 − APoZ</source>
        <translation>1 − APoZ</translation>
    </message>
    <message>
        <source>BN |γ|</source>
        <translation>BN |γ|</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Not computed for this layer.</source>
        <translation>此层未计算。</translation>
    </message>
    <message>
        <source>No layer selected.</source>
        <translation>未选择层。</translation>
    </message>
    <message>
        <source>Show %1 scores in the side bar.</source>
        <translation>在侧栏显示 %1 得分。</translation>
    </message>
    <message>
        <source>no %1 scores</source>
        <translation>无 %1 得分</translation>
    </message>
    <message numerus="yes">
        <source>%n of %1 filters pruned by the plan</source>
        <translation>
            <numerusform>方案剪除了 %1 个滤波器中的 %n 个</numerusform>
        </translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>方案</translation>
    </message>
    <message>
        <source>No layer selected</source>
        <translation>未选择层</translation>
    </message>
    <message>
        <source>Filters each criterion would prune at %1 % (%2 of %3)</source>
        <translation>各准则在 %1 %（%3 个中的 %2 个）时会剪除的滤波器</translation>
    </message>
    <message>
        <source>kernel-heatmap.png</source>
        <translation>kernel-heatmap.png</translation>
    </message>
    <message>
        <source>criteria-disagreement.png</source>
        <translation>criteria-disagreement.png</translation>
    </message>
    <message>
        <source>Show where filter %1 goes</source>
        <translation>显示滤波器 %1 的去向</translation>
    </message>
    <message>
        <source>Animate on the graph every place that loses a channel when this filter is pruned.</source>
        <translation>在图上以动画显示剪掉此滤波器时失去通道的每个位置。</translation>
    </message>
</context>
<context>
    <name>topiary::InspectorPane</name>
    <message>
        <source>%1 back to float</source>
        <translation>%1 恢复为浮点</translation>
    </message>
    <message>
        <source>%1 at %2 bits</source>
        <translation>%1 量化为 %2 位</translation>
    </message>
    <message>
        <source>%1 at rank %2</source>
        <translation>%1 降为秩 %2</translation>
    </message>
    <message>
        <source>%1 at full rank</source>
        <translation>%1 恢复满秩</translation>
    </message>
    <message>
        <source>Select a layer to trace one of its filters.</source>
        <translation>选择一个层以追踪其中一个滤波器。</translation>
    </message>
    <message>
        <source>Stop pruning %1</source>
        <translation>停止剪枝 %1</translation>
    </message>
    <message>
        <source>Prune %1 filters of %2</source>
        <translation>剪除 %2 的 %1 个滤波器</translation>
    </message>
    <message>
        <source>Prune %1 weights of %2</source>
        <translation>剪去 %2 的 %1 权重</translation>
    </message>
    <message>
        <source>Prune %1 below %2</source>
        <translation>剪去 %1 中低于 %2 的部分</translation>
    </message>
    <message>
        <source>Prune weights of %1 below %2</source>
        <translation>剪去 %1 中绝对值低于 %2 的权重</translation>
    </message>
    <message>
        <source>Step %1 to %2</source>
        <translation>将 %1 逐步剪枝到 %2</translation>
    </message>
    <message>
        <source>Step: %1 at %2</source>
        <translation>逐步：%1 为 %2</translation>
    </message>
    <message>
        <source>Step stopped</source>
        <translation>逐步演示已停止</translation>
    </message>
    <message>
        <source>APoZ is not available: %1</source>
        <translation>APoZ 不可用：%1</translation>
    </message>
</context>
<context>
    <name>topiary::LayerControls</name>
    <message>
        <source>Pruning</source>
        <translation>剪枝</translation>
    </message>
    <message>
        <source>&amp;Prune:</source>
        <translation>剪枝(&amp;P)：</translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation>不剪枝</translation>
    </message>
    <message>
        <source>Single weights</source>
        <translation>单个权重</translation>
    </message>
    <message>
        <source>Whole filters</source>
        <translation>整个滤波器</translation>
    </message>
    <message>
        <source>Prune nothing, individual weights (zeroed in place) or whole filters (removed together with the channels coupled to them).</source>
        <translation>不剪枝、剪除单个权重（原地置零）或剪除整个滤波器（连同与其耦合的通道一起移除）。</translation>
    </message>
    <message>
        <source>&amp;Rank by:</source>
        <translation>排序依据(&amp;R)：</translation>
    </message>
    <message>
        <source>L1 norm</source>
        <translation>L1 范数</translation>
    </message>
    <message>
        <source>L2 norm</source>
        <translation>L2 范数</translation>
    </message>
    <message>
        <source>FPGM</source>
        <translation>FPGM</translation>
    </message>
    <message>
        <source>APoZ</source>
        <translation>APoZ</translation>
    </message>
    <message>
        <source>BN scale</source>
        <translation>BN 缩放</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>How filters are scored; the lowest-scored filters are pruned first.</source>
        <translation>滤波器的评分方式；得分最低的滤波器最先被剪除。</translation>
    </message>
    <message>
        <source>&amp;Cut by:</source>
        <translation>截断方式(&amp;C)：</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>比例</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>Mean + k·std</source>
        <translation>均值 + k·标准差</translation>
    </message>
    <message>
        <source>Prune a fraction of the weights or filters, everything scored below a threshold, or everything below mean + k standard deviations of the scores.</source>
        <translation>剪除一定比例的权重或滤波器、得分低于阈值的全部，或低于得分均值 + k 倍标准差的全部。</translation>
    </message>
    <message>
        <source>&amp;Value:</source>
        <translation>数值(&amp;V)：</translation>
    </message>
    <message>
        <source>Drag to change how much of the layer is pruned; the plan updates as you drag.</source>
        <translation>拖动以改变该层的剪枝量；方案随拖动实时更新。</translation>
    </message>
    <message>
        <source>The pruning ratio, threshold or k, typed exactly.</source>
        <translation>精确输入剪枝比例、阈值或 k。</translation>
    </message>
    <message>
        <source>Weight encoding</source>
        <translation>权重编码</translation>
    </message>
    <message>
        <source>&amp;Encoding:</source>
        <translation>编码(&amp;E)：</translation>
    </message>
    <message>
        <source>Float32 (unchanged)</source>
        <translation>Float32（不变）</translation>
    </message>
    <message>
        <source>Float16</source>
        <translation>Float16</translation>
    </message>
    <message>
        <source>Uniform integer</source>
        <translation>均匀整数</translation>
    </message>
    <message>
        <source>Codebook (k-means)</source>
        <translation>码本（k-means）</translation>
    </message>
    <message>
        <source>Binary</source>
        <translation>二值</translation>
    </message>
    <message>
        <source>Ternary</source>
        <translation>三值</translation>
    </message>
    <message>
        <source>How the layer&apos;s weights are stored: floats, a uniform integer grid, a k-means codebook, or one or two scaled signs.</source>
        <translation>该层权重的存储方式：浮点数、均匀整数网格、k-means 码本，或一至两个带缩放的符号值。</translation>
    </message>
    <message>
        <source>&amp;Bits:</source>
        <translation>位数(&amp;B)：</translation>
    </message>
    <message>
        <source>Bits per weight for uniform and codebook encodings.</source>
        <translation>均匀编码和码本编码下每个权重的位数。</translation>
    </message>
    <message>
        <source>&amp;Symmetric</source>
        <translation>对称(&amp;S)</translation>
    </message>
    <message>
        <source>A grid centred on zero (signed integers) instead of one with a zero point.</source>
        <translation>使用以零为中心的网格（有符号整数），而非带零点的网格。</translation>
    </message>
    <message>
        <source>Per &amp;channel</source>
        <translation>逐通道(&amp;C)</translation>
    </message>
    <message>
        <source>One scale per output channel instead of one for the whole tensor.</source>
        <translation>每个输出通道一个缩放因子，而非整个张量共用一个。</translation>
    </message>
    <message>
        <source>Low rank</source>
        <translation>低秩</translation>
    </message>
    <message>
        <source>R&amp;ank:</source>
        <translation>秩(&amp;A)：</translation>
    </message>
    <message>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Remove whole filters with the channels coupled to them.</source>
        <translation>移除整个滤波器及与其耦合的通道。</translation>
    </message>
    <message>
        <source>Filters of this layer cannot be removed: %1</source>
        <translation>此层的滤波器无法移除：%1</translation>
    </message>
    <message>
        <source>Rank filters by %1.</source>
        <translation>按 %1 对滤波器排序。</translation>
    </message>
    <message>
        <source>Factor the layer into two of rank r (at most %1); 0 leaves it whole.</source>
        <translation>将该层分解为两个秩为 r（最多 %1）的层；0 表示不分解。</translation>
    </message>
    <message>
        <source>Factor the layer into two thinner ones of this rank; 0 leaves it whole.</source>
        <translation>将该层分解为两个此秩的更窄的层；0 表示不分解。</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>逐步</translation>
    </message>
    <message>
        <source>Stop the animation where it is.</source>
        <translation>让动画停在当前位置。</translation>
    </message>
    <message>
        <source>Animate the ratio from 0 up to this value, step by step, so every view and the accuracy can be watched changing together.</source>
        <translation>将比例从 0 逐步增加到此值，以便同时观察每个视图和准确率的变化。</translation>
    </message>
    <message>
        <source>Ran&amp;ge:</source>
        <translation>范围(&amp;G)：</translation>
    </message>
    <message>
        <source>Min/max</source>
        <translation>最小/最大值</translation>
    </message>
    <message>
        <source>Least error (MSE)</source>
        <translation>最小误差（MSE）</translation>
    </message>
    <message>
        <source>The integer grid spans the weights&apos; min/max (nothing clipped), or the range with the least quantization error (a few outliers clipped for finer steps).</source>
        <translation>整数网格覆盖权重的最小/最大值（不截断），或量化误差最小的范围（截断少数离群值以获得更细的步长）。</translation>
    </message>
    <message>
        <source>Input activations</source>
        <translation>输入激活</translation>
    </message>
    <message>
        <source>Ac&amp;tivations:</source>
        <translation>激活(&amp;T)：</translation>
    </message>
    <message>
        <source>Float</source>
        <translation>浮点</translation>
    </message>
    <message>
        <source>Ca&amp;libration:</source>
        <translation>校准(&amp;L)：</translation>
    </message>
    <message>
        <source>Percentile 99.99 %</source>
        <translation>百分位 99.99 %</translation>
    </message>
    <message>
        <source>Entropy (KL)</source>
        <translation>熵（KL）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop calibrating; the accuracy waits until the ranges are calibrated.</source>
        <translation>停止校准；准确率将等待范围校准完成。</translation>
    </message>
    <message>
        <source>How every 8-bit activation&apos;s range is chosen from the values seen on the calibration images (one method for all layers); changing it calibrates again.</source>
        <translation>如何根据校准图像上出现的值选择每个 8 位激活的范围（所有层共用一种方法）；更改后将重新校准。</translation>
    </message>
    <message>
        <source>8-bit uint8</source>
        <translation>8 位 uint8</translation>
    </message>
    <message>
        <source>8-bit int8</source>
        <translation>8 位 int8</translation>
    </message>
    <message>
        <source>Quantize the values this layer reads to 8 bits, per tensor, on a range calibrated on images of the dataset, as ONNX Runtime&apos;s integer kernels compute: uint8 asymmetric (a zero point from the range) or int8 symmetric (zero point 0).</source>
        <translation>将该层读取的值按张量量化为 8 位，范围在数据集的图像上校准，与 ONNX Runtime 的整数内核计算方式一致：uint8 非对称（零点由范围决定）或 int8 对称（零点为 0）。</translation>
    </message>
</context>
<context>
    <name>topiary::LayerInspector</name>
    <message>
        <source>The layer being inspected: its name, kind and weight shape.</source>
        <translation>正在查看的层：名称、类型和权重形状。</translation>
    </message>
    <message>
        <source>&lt;i&gt;Select a layer to inspect its weights.&lt;/i&gt;</source>
        <translation>&lt;i&gt;选择一个层以查看其权重。&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; &amp;nbsp;%2 · weight %3 (%4 weights) · %5 of %6 filters pruned</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; &amp;nbsp;%2 · 权重 %3（%4 个权重）· 已剪除 %6 个滤波器中的 %5 个</translation>
    </message>
    <message>
        <source> · %1 % of weights zeroed</source>
        <translation> · %1 % 的权重已置零</translation>
    </message>
    <message>
        <source>Filter pruning: %1</source>
        <translation>滤波器剪枝：%1</translation>
    </message>
    <message>
        <source>Encoding: %1</source>
        <translation>编码：%1</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Input activations</source>
        <translation>输入激活</translation>
    </message>
    <message>
        <source>The values this layer reads, with their calibrated 8-bit range.</source>
        <translation>该层读取的数值，以及校准后的 8 位范围。</translation>
    </message>
</context>
<context>
    <name>topiary::LayerTableModel</name>
    <message>
        <source>Share of this layer&apos;s filters removed (structured pruning by L1 norm, together with every layer coupled to its channels). Double-click to edit: 0 to 95 %.</source>
        <translation>该层被移除的滤波器比例（按 L1 范数结构化剪枝，与通道耦合的所有层一同剪枝）。双击编辑：0 到 95 %。</translation>
    </message>
    <message>
        <source>rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Bits per weight: 32 is float; 2 to 16 quantize uniformly, symmetric, one scale per output channel. Double-click to edit.</source>
        <translation>每个权重的位数：32 为浮点；2 到 16 为对称均匀量化，每个输出通道一个缩放因子。双击编辑。</translation>
    </message>
    <message>
        <source>32 (float)</source>
        <translation>32（浮点）</translation>
    </message>
    <message>
        <source>%1 bits</source>
        <translation>%1 位</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Op</source>
        <translation>算子</translation>
    </message>
    <message>
        <source>Weight shape</source>
        <translation>权重形状</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MACs</translation>
    </message>
    <message>
        <source>Output shape</source>
        <translation>输出形状</translation>
    </message>
    <message>
        <source>Weight size</source>
        <translation>权重大小</translation>
    </message>
    <message>
        <source>Pruned</source>
        <translation>剪枝率</translation>
    </message>
    <message>
        <source>Bits</source>
        <translation>位数</translation>
    </message>
    <message>
        <source>The name of the node that carries the layer&apos;s weights.</source>
        <translation>承载该层权重的节点名称。</translation>
    </message>
    <message>
        <source>The operator of the layer, and the BatchNormalization attached to it, if any.</source>
        <translation>该层的算子，以及附带的 BatchNormalization（如有）。</translation>
    </message>
    <message>
        <source>Dimensions of the weight tensor, as stored in the file.</source>
        <translation>文件中存储的权重张量维度。</translation>
    </message>
    <message>
        <source>Elements of the layer&apos;s weight and bias.</source>
        <translation>该层权重和偏置的元素个数。</translation>
    </message>
    <message>
        <source>Multiply-accumulates of the convolution or matrix product, at batch size 1.</source>
        <translation>批大小为 1 时卷积或矩阵乘法的乘加运算次数。</translation>
    </message>
    <message>
        <source>Dimensions of the layer&apos;s output, before an attached BatchNormalization.</source>
        <translation>该层输出的维度（在附带的 BatchNormalization 之前）。</translation>
    </message>
    <message>
        <source>Bytes of the layer&apos;s weight and bias at their stored type, or under the plan at its smallest encoding (1 MB = 10^6 bytes).</source>
        <translation>该层权重和偏置按存储类型计算的字节数，或按方案中最小编码计算的字节数（1 MB = 10^6 字节）。</translation>
    </message>
    <message>
        <source>Share of the layer&apos;s filters the plan removes; editable.</source>
        <translation>方案移除的该层滤波器比例；可编辑。</translation>
    </message>
    <message>
        <source>Bits per weight under the plan; editable.</source>
        <translation>方案中每个权重的位数；可编辑。</translation>
    </message>
    <message>
        <source>Node: %1
Weight: %2</source>
        <translation>节点：%1
权重：%2</translation>
    </message>
    <message>
        <source>
Bias: %1</source>
        <translation>
偏置：%1</translation>
    </message>
    <message>
        <source>
BatchNormalization: %1</source>
        <translation>
BatchNormalization：%1</translation>
    </message>
    <message>
        <source>%1 node, %2 output channels, %3 input channels</source>
        <translation>%1 节点，%2 个输出通道，%3 个输入通道</translation>
    </message>
    <message>
        <source>%1: %2 (%3 elements)</source>
        <translation>%1：%2（%3 个元素）</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 个参数</translation>
    </message>
    <message>
        <source>
The attached BatchNormalization adds %1 more.</source>
        <translation>
附带的 BatchNormalization 另有 %1 个。</translation>
    </message>
    <message>
        <source>%1 multiply-accumulates</source>
        <translation>%1 次乘加运算</translation>
    </message>
    <message>
        <source>%1: shape unknown</source>
        <translation>%1：形状未知</translation>
    </message>
    <message>
        <source>%1: %2 %3</source>
        <translation>%1：%2 %3</translation>
    </message>
    <message>
        <source>%1 (depthwise)</source>
        <translation>%1（逐深度）</translation>
    </message>
    <message>
        <source>%1 (%2 groups)</source>
        <translation>%1（%2 组）</translation>
    </message>
    <message>
        <source>%1 + BN</source>
        <translation>%1 + BN</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>The layer&apos;s input activations: float, or 8 bits per value on a range calibrated on the dataset (uint8 asymmetric, int8 symmetric). Double-click to edit: float, uint8 or int8.</source>
        <translation>该层的输入激活：浮点，或在数据集上校准的范围内每个值 8 位（uint8 非对称，int8 对称）。双击编辑：float、uint8 或 int8。</translation>
    </message>
    <message>
        <source>float</source>
        <translation>浮点</translation>
    </message>
    <message>
        <source>8 (int8)</source>
        <translation>8（int8）</translation>
    </message>
    <message>
        <source>8 (uint8)</source>
        <translation>8（uint8）</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>The layer&apos;s input activations under the plan: float or 8-bit; editable.</source>
        <translation>方案中该层的输入激活：浮点或 8 位；可编辑。</translation>
    </message>
</context>
<context>
    <name>topiary::LayerTablePane</name>
    <message>
        <source>Prune %1 filters of %2</source>
        <translation>剪除 %2 的 %1 个滤波器</translation>
    </message>
    <message>
        <source>Stop pruning %1</source>
        <translation>停止剪枝 %1</translation>
    </message>
    <message>
        <source>%1 at %2 bits</source>
        <translation>%1 量化为 %2 位</translation>
    </message>
</context>
<context>
    <name>topiary::LoadStatus</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop waiting for this model; the current one stays open</source>
        <translation>不再等待此模型；当前模型保持打开</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Loaded %1 (layers: %2, parameters: %3)</source>
        <translation>已加载 %1（层数：%2，参数量：%3）</translation>
    </message>
    <message>
        <source>Its int8 weights are edited as float32: export 8-bit layers as int8 QDQ to keep them small.</source>
        <translation>其 int8 权重以 float32 编辑：导出时将 8 位层存为 int8 QDQ 可保持其小巧。</translation>
    </message>
    <message>
        <source>Its float16 weights are edited as float32: export float16 layers with float16 storage to keep them small.</source>
        <translation>其 float16 权重以 float32 编辑：导出时将 float16 层存为 Float16 可保持其小巧。</translation>
    </message>
    <message>
        <source>Could not open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <source>Could not open model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Could not open %1.</source>
        <translation>无法打开 %1。</translation>
    </message>
    <message>
        <source>Stopped loading %1</source>
        <translation>已停止加载 %1</translation>
    </message>
</context>
<context>
    <name>topiary::MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <source>Graph</source>
        <translation>计算图</translation>
    </message>
    <message>
        <source>The network as a graph of its operations; click a layer to inspect it.</source>
        <translation>以运算图展示网络；单击层以查看。</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层列表</translation>
    </message>
    <message>
        <source>Every layer with its size and cost; edit Pruned and Bits in place.</source>
        <translation>列出每个层的大小和开销；可直接编辑剪枝率和位数。</translation>
    </message>
    <message>
        <source>Model as loaded</source>
        <translation>加载时的模型</translation>
    </message>
    <message>
        <source>Every edit of the plan; click a step to go back to it.</source>
        <translation>方案的每次编辑；单击某一步可回到该步。</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open an ONNX model</source>
        <translation>打开 ONNX 模型</translation>
    </message>
    <message>
        <source>Open &amp;Sample Model</source>
        <translation>打开示例模型(&amp;S)</translation>
    </message>
    <message>
        <source>Open the small Fashion-MNIST CNN that comes with Topiary</source>
        <translation>打开 Topiary 自带的小型 Fashion-MNIST CNN</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;About Topiary</source>
        <translation>关于 Topiary(&amp;A)</translation>
    </message>
    <message>
        <source>Totals</source>
        <translation>总计</translation>
    </message>
    <message>
        <source>Open an ONNX model with File → Open, or drop an .onnx file here.</source>
        <translation>通过“文件 → 打开”打开 ONNX 模型，或将 .onnx 文件拖放到此处。</translation>
    </message>
    <message>
        <source>Open Model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx);;All files (*)</source>
        <translation>ONNX 模型 (*.onnx);;所有文件 (*)</translation>
    </message>
    <message>
        <source>About Topiary</source>
        <translation>关于 Topiary</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Topiary %1&lt;/h3&gt;&lt;p&gt;A workbench for compressing neural networks by hand.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Topiary %1&lt;/h3&gt;&lt;p&gt;手动压缩神经网络的工作台。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Not possible: %1</source>
        <translation>无法执行：%1</translation>
    </message>
    <message>
        <source>Topiary</source>
        <translation>Topiary</translation>
    </message>
    <message>
        <source>%1%2 — Topiary</source>
        <translation>%1%2 — Topiary</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>总览</translation>
    </message>
    <message>
        <source>Every layer&apos;s filters ranked by importance; the ones the plan removes in red.</source>
        <translation>各层滤波器按重要性排序；方案移除的以红色显示。</translation>
    </message>
    <message>
        <source>Sensitivity</source>
        <translation>敏感度</translation>
    </message>
    <message>
        <source>Pareto</source>
        <translation>帕累托</translation>
    </message>
    <message>
        <source>Fit to Budget</source>
        <translation>符合预算</translation>
    </message>
    <message>
        <source>&amp;Fit to Budget…</source>
        <translation>符合预算(&amp;F)…</translation>
    </message>
    <message>
        <source>&amp;Analyze</source>
        <translation>分析(&amp;A)</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>检查器</translation>
    </message>
    <message>
        <source>Explain</source>
        <translation>解释</translation>
    </message>
    <message>
        <source>&amp;Explain</source>
        <translation>解释(&amp;E)</translation>
    </message>
    <message>
        <source>Say in plain words, with formulas, what the selected layer&apos;s numbers mean</source>
        <translation>用通俗的语言和公式说明所选层的数值含义</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <source>Choose the language and the theme</source>
        <translation>选择语言和主题</translation>
    </message>
    <message>
        <source>Compare Criteria</source>
        <translation>比较准则</translation>
    </message>
    <message>
        <source>&amp;Compare Criteria…</source>
        <translation>比较准则(&amp;C)…</translation>
    </message>
    <message>
        <source>Rank the selected layer&apos;s filters by every criterion and measure the accuracy each choice keeps</source>
        <translation>按每个准则对所选层的滤波器排名，并测量每种选择保留的准确率</translation>
    </message>
    <message>
        <source>&amp;Trace Filter Removal</source>
        <translation>追踪滤波器移除(&amp;T)</translation>
    </message>
    <message>
        <source>Animate on the graph where the selected layer&apos;s least important filter goes when pruned</source>
        <translation>在图上以动画显示所选层最不重要的滤波器被剪掉时的去向</translation>
    </message>
</context>
<context>
    <name>topiary::MeasuredFitRunner</name>
    <message>
        <source>loading calibration images</source>
        <translation>正在加载校准图像</translation>
    </message>
    <message>
        <source>measuring the proposed plan</source>
        <translation>正在测量建议方案</translation>
    </message>
    <message>
        <source>measuring adjusted plans</source>
        <translation>正在测量调整后的方案</translation>
    </message>
    <message>
        <source>measuring the sweep after recovery</source>
        <translation>正在测量恢复后的敏感度扫描</translation>
    </message>
    <message>
        <source>measuring the sweep after recovery: %1 of %2 points</source>
        <translation>正在测量恢复后的敏感度扫描：第 %1 个点，共 %2 个</translation>
    </message>
</context>
<context>
    <name>topiary::MessageButtons</name>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>放弃(&amp;D)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>是(&amp;Y)</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>否(&amp;N)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>topiary::ModelLoader</name>
    <message>
        <source>Unexpected error while loading: %1</source>
        <translation>加载时发生意外错误：%1</translation>
    </message>
    <message>
        <source>Unexpected error while loading.</source>
        <translation>加载时发生意外错误。</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
</context>
<context>
    <name>topiary::NetworkOverviewMap</name>
    <message>
        <source>BN scale</source>
        <translation>BN 缩放</translation>
    </message>
    <message>
        <source>random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Filter rank (most important first)</source>
        <translation>滤波器排名（最重要的在前）</translation>
    </message>
    <message>
        <source>Score ÷ layer&apos;s best</source>
        <translation>得分 ÷ 该层最高分</translation>
    </message>
    <message>
        <source>&lt;span style=&quot;color:%1&quot;&gt;■&lt;/span&gt; pruned by the plan (a partial tint: that share of the filter&apos;s weights is pruned) &amp;nbsp; &lt;b&gt;▶&lt;/b&gt; selected layer</source>
        <translation>&lt;span style=&quot;color:%1&quot;&gt;■&lt;/span&gt; 方案剪除（部分着色：该滤波器对应比例的权重被剪除）&amp;nbsp; &lt;b&gt;▶&lt;/b&gt; 选中的层</translation>
    </message>
    <message>
        <source>Every layer&apos;s filters ranked by importance; click a row to select its layer.</source>
        <translation>各层滤波器按重要性排序；单击某行以选中其所在层。</translation>
    </message>
    <message>
        <source>Layer (%1 scores)</source>
        <translation>层（%1 得分）</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>%1: has only %2 filters</source>
        <translation>%1：只有 %2 个滤波器</translation>
    </message>
    <message>
        <source>pruned</source>
        <translation>已剪除</translation>
    </message>
    <message>
        <source>%1 % of its weights pruned</source>
        <translation>%1 % 的权重已剪除</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>%1, filter rank %2 (filter %3), %4 score %5 (%6 of the layer&apos;s best), %7</source>
        <translation>%1，滤波器排名 %2（滤波器 %3），%4 得分 %5（为该层最高分的 %6），%7</translation>
    </message>
</context>
<context>
    <name>topiary::ParetoPlot</name>
    <message>
        <source>Weight size (MB)</source>
        <translation>权重大小 (MB)</translation>
    </message>
    <message>
        <source>MACs (millions)</source>
        <translation>MACs（百万）</translation>
    </message>
    <message>
        <source>Accuracy (%)</source>
        <translation>准确率 (%)</translation>
    </message>
    <message>
        <source>Every plan evaluated in this session; red steps are the best trade-offs, click a plan to restore it.</source>
        <translation>本次会话中评估过的所有方案；红色阶梯为最佳权衡，单击某方案可恢复它。</translation>
    </message>
    <message>
        <source>Plan %1</source>
        <translation>方案 %1</translation>
    </message>
    <message>
        <source>Accuracy %1 % (95 %: %2–%3 %, %4 images)</source>
        <translation>准确率 %1 %（95 %：%2–%3 %，%4 张图像）</translation>
    </message>
    <message>
        <source>Accuracy not measured yet</source>
        <translation>尚未测量准确率</translation>
    </message>
    <message>
        <source>Weights %1 (%2), %3 MACs</source>
        <translation>权重 %1（%2），%3 MACs</translation>
    </message>
    <message>
        <source>Pareto-optimal for size and for MACs</source>
        <translation>在大小和 MACs 上均为帕累托最优</translation>
    </message>
    <message>
        <source>Pareto-optimal for size</source>
        <translation>在大小上为帕累托最优</translation>
    </message>
    <message>
        <source>Pareto-optimal for MACs</source>
        <translation>在 MACs 上为帕累托最优</translation>
    </message>
    <message>
        <source>&lt;span style=&quot;color:%1&quot;&gt;●&lt;/span&gt; a plan (bars: 95 % interval) &amp;nbsp; &lt;span style=&quot;color:%2&quot;&gt;●━&lt;/span&gt; best trade-offs (Pareto front) &amp;nbsp; ◯ current plan &amp;nbsp; &lt;span style=&quot;color:%3&quot;&gt;◇&lt;/span&gt; after recovery</source>
        <translation>&lt;span style=&quot;color:%1&quot;&gt;●&lt;/span&gt; 一个方案（误差条：95% 区间）&amp;nbsp; &lt;span style=&quot;color:%2&quot;&gt;●━&lt;/span&gt; 最佳权衡（帕累托前沿）&amp;nbsp; ◯ 当前方案 &amp;nbsp; &lt;span style=&quot;color:%3&quot;&gt;◇&lt;/span&gt; 恢复后</translation>
    </message>
    <message>
        <source>(after recovery)</source>
        <translation>（恢复后）</translation>
    </message>
</context>
<context>
    <name>topiary::PlotExport</name>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>SVG drawing (*.svg)</source>
        <translation>SVG 矢量图 (*.svg)</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
    <message>
        <source>Save Plot As</source>
        <translation>图表另存为</translation>
    </message>
    <message>
        <source>Could not write %1. Use a .png, .svg or .pdf file in a folder you can write to.</source>
        <translation>无法写入 %1。请使用可写文件夹中的 .png、.svg 或 .pdf 文件。</translation>
    </message>
</context>
<context>
    <name>topiary::PlotWidget</name>
    <message>
        <source>Save this plot as a PNG, SVG or PDF file.</source>
        <translation>将此图保存为 PNG、SVG 或 PDF 文件。</translation>
    </message>
    <message>
        <source>Save as…</source>
        <translation>另存为…</translation>
    </message>
</context>
<context>
    <name>topiary::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The language of menus, panels and messages; it changes at once.</source>
        <translation>菜单、面板和消息所用的语言；立即生效。</translation>
    </message>
    <message>
        <source>Layer and operator names stay as the model has them. The environment variable TOPIARY_LANGUAGE, when set, wins over this choice at start.</source>
        <translation>层名和算子名保持模型中的原样。启动时若设置了环境变量 TOPIARY_LANGUAGE，则以它为准。</translation>
    </message>
    <message>
        <source>&amp;Theme:</source>
        <translation>主题(&amp;T)：</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>The desktop&apos;s own colours, or a fixed light or dark palette.</source>
        <translation>使用桌面自身的配色，或固定的浅色或深色调色板。</translation>
    </message>
    <message>
        <source>Close; the choices are already applied and saved.</source>
        <translation>关闭；所做选择已应用并保存。</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>topiary::PreprocessForm</name>
    <message>
        <source>the model&apos;s metadata</source>
        <translation>模型元数据</translation>
    </message>
    <message>
        <source>the model&apos;s input shape</source>
        <translation>模型输入形状</translation>
    </message>
    <message>
        <source>default</source>
        <translation>默认值</translation>
    </message>
    <message>
        <source>ImageNet default for 3 channels</source>
        <translation>3 通道的 ImageNet 默认值</translation>
    </message>
    <message>
        <source>the preprocessing in use</source>
        <translation>当前使用的预处理</translation>
    </message>
    <message>
        <source>torchvision&apos;s 256/224 resize rule</source>
        <translation>torchvision 的 256/224 缩放规则</translation>
    </message>
    <message>
        <source>Scale: &apos;%1&apos; is not a number</source>
        <translation>缩放：“%1”不是数字</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>Std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>%1: expected numbers separated by commas, one per channel or one for all</source>
        <translation>%1：应为逗号分隔的数字，每个通道一个，或全部共用一个</translation>
    </message>
    <message>
        <source>1 (grayscale)</source>
        <translation>1（灰度）</translation>
    </message>
    <message>
        <source>3 (colour)</source>
        <translation>3（彩色）</translation>
    </message>
    <message>
        <source>bilinear</source>
        <translation>双线性</translation>
    </message>
    <message>
        <source>nearest</source>
        <translation>最近邻</translation>
    </message>
    <message>
        <source>bicubic</source>
        <translation>双三次</translation>
    </message>
    <message>
        <source>area</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>stretch to the size</source>
        <translation>拉伸到该尺寸</translation>
    </message>
    <message>
        <source>The shorter side is resized to this, then the centre is cropped to height × width (torchvision&apos;s Resize then CenterCrop). 0 stretches the image to the size instead.</source>
        <translation>先把短边缩放到此值，再从中心裁剪为 高 × 宽（torchvision 的 Resize 加 CenterCrop）。为 0 时直接把图像拉伸到该尺寸。</translation>
    </message>
    <message>
        <source>Pixels (0 to 255) are multiplied by this first: 1/255 = 0.00392156862745098 maps them to 0 to 1.</source>
        <translation>像素值（0 到 255）先乘以此数：1/255 = 0.00392156862745098 会把它们映射到 0 到 1。</translation>
    </message>
    <message>
        <source>Subtracted after scaling: one value per channel in the model&apos;s channel order, or one for all.</source>
        <translation>缩放后减去：按模型的通道顺序每个通道一个值，或全部共用一个。</translation>
    </message>
    <message>
        <source>Divided by after subtracting the mean: one positive value per channel, or one for all.</source>
        <translation>减去均值后除以此数：每个通道一个正数，或全部共用一个。</translation>
    </message>
    <message>
        <source>The names of the model&apos;s outputs, in order, separated by commas or lines. Image lists map their label names through them.</source>
        <translation>模型各输出的名称，按顺序，用逗号或换行分隔。图像列表通过它们映射标签名称。</translation>
    </message>
    <message>
        <source>The channel order the model expects: RGB for torchvision models, BGR for models trained with OpenCV.</source>
        <translation>模型期望的通道顺序：torchvision 模型为 RGB，用 OpenCV 训练的模型为 BGR。</translation>
    </message>
    <message>
        <source>Channels:</source>
        <translation>通道：</translation>
    </message>
    <message>
        <source>Size (height × width):</source>
        <translation>尺寸（高 × 宽）：</translation>
    </message>
    <message>
        <source>Resize shorter side:</source>
        <translation>短边缩放到：</translation>
    </message>
    <message>
        <source>Interpolation:</source>
        <translation>插值：</translation>
    </message>
    <message>
        <source>Channel order:</source>
        <translation>通道顺序：</translation>
    </message>
    <message>
        <source>Scale:</source>
        <translation>缩放：</translation>
    </message>
    <message>
        <source>Mean:</source>
        <translation>均值：</translation>
    </message>
    <message>
        <source>Std:</source>
        <translation>标准差：</translation>
    </message>
    <message>
        <source>Class names:</source>
        <translation>类别名称：</translation>
    </message>
    <message>
        <source>edited</source>
        <translation>已编辑</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>来自%1</translation>
    </message>
</context>
<context>
    <name>topiary::PresentationMode</name>
    <message>
        <source>&amp;Presentation Mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <source>Full screen with larger text and thicker lines, for showing to a room</source>
        <translation>全屏显示，文字更大、线条更粗，便于向全场展示</translation>
    </message>
    <message>
        <source>Presentation mode: F5 or Esc to leave</source>
        <translation>演示模式：按 F5 或 Esc 退出</translation>
    </message>
</context>
<context>
    <name>topiary::RecentFiles</name>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>%1  %2</source>
        <translation>%1  %2</translation>
    </message>
    <message>
        <source>&amp;Clear Menu</source>
        <translation>清除菜单(&amp;C)</translation>
    </message>
</context>
<context>
    <name>topiary::RecoveryControls</name>
    <message>
        <source>%1 % [%2, %3]</source>
        <translation>%1% [%2, %3]</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>Recover without training</source>
        <translation>免训练恢复</translation>
    </message>
    <message>
        <source>Repair the compressed model&apos;s weights from calibration images of the dataset (no labels, no training), and show its accuracy after the repair</source>
        <translation>用数据集的校准图像修复压缩后模型的权重（无需标签，无需训练），并显示修复后的准确率</translation>
    </message>
    <message>
        <source>BN</source>
        <translation>BN</translation>
    </message>
    <message>
        <source>Re-estimate BatchNorm statistics on the compressed model&apos;s own activations</source>
        <translation>在压缩后模型自身的激活上重新估计 BatchNorm 统计量</translation>
    </message>
    <message>
        <source>Bias</source>
        <translation>偏置</translation>
    </message>
    <message>
        <source>Shift each output channel&apos;s bias so its mean output matches the original&apos;s</source>
        <translation>平移每个输出通道的偏置，使其平均输出与原始模型一致</translation>
    </message>
    <message>
        <source>Least squares</source>
        <translation>最小二乘</translation>
    </message>
    <message>
        <source>Refit each compressed layer&apos;s kept weights so its output matches the original&apos;s</source>
        <translation>重新拟合每个压缩层保留的权重，使其输出与原始模型一致</translation>
    </message>
    <message>
        <source>Top-1 compressed</source>
        <translation>压缩后 Top-1</translation>
    </message>
    <message>
        <source>Top-1 recovered</source>
        <translation>恢复后 Top-1</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>topiary::RecoveryNote</name>
    <message>
        <source>&lt;b&gt;Recovery of %1&lt;/b&gt; (%2 calibration images)</source>
        <translation>&lt;b&gt;%1 的恢复&lt;/b&gt;（%2 张校准图像）</translation>
    </message>
    <message>
        <source>Least squares: output error against the original %1 % before the refit, %2 % after (Σ(y − ŷ)² / Σy² on the sampled positions).</source>
        <translation>最小二乘：相对原始模型的输出误差，重新拟合前 %1%，拟合后 %2%（在采样位置上的 Σ(y − ŷ)² / Σy²）。</translation>
    </message>
    <message>
        <source>BatchNorm: running means of %1 channels moved by %2 on average (at most %3); running variances scaled by %4 to %5.</source>
        <translation>BatchNorm：%1 个通道的滑动均值平均移动 %2（最多 %3）；滑动方差缩放为原来的 %4 到 %5 倍。</translation>
    </message>
    <message>
        <source>Bias correction: %1 channels shifted by %2 on average (at most %3), so their mean output equals the original&apos;s.</source>
        <translation>偏置校正：%1 个通道平均平移 %2（最多 %3），使其平均输出与原始模型一致。</translation>
    </message>
    <message>
        <source>Nothing changed on this layer.</source>
        <translation>此层没有变化。</translation>
    </message>
</context>
<context>
    <name>topiary::RecoveryRunner</name>
    <message>
        <source>loading calibration images</source>
        <translation>正在加载校准图像</translation>
    </message>
    <message>
        <source>recovering layers</source>
        <translation>正在恢复各层</translation>
    </message>
    <message>
        <source>evaluating the recovered model</source>
        <translation>正在评估恢复后的模型</translation>
    </message>
</context>
<context>
    <name>topiary::RecoverySection</name>
    <message>
        <source>Recover without training</source>
        <translation>免训练恢复</translation>
    </message>
    <message>
        <source>No recovery</source>
        <translation>不恢复</translation>
    </message>
    <message>
        <source>Nothing is compressed: nothing to recover.</source>
        <translation>没有压缩任何内容：无需恢复。</translation>
    </message>
    <message>
        <source>Recovery cancelled.</source>
        <translation>恢复已取消。</translation>
    </message>
    <message>
        <source>Recovery failed: %1</source>
        <translation>恢复失败：%1</translation>
    </message>
    <message>
        <source>On %1 calibration images: layers refitted %2, BatchNorms re-estimated %3, biases corrected %4.</source>
        <translation>在 %1 张校准图像上：重新拟合的层 %2 个，重新估计的 BatchNorm %3 个，校正的偏置 %4 个。</translation>
    </message>
</context>
<context>
    <name>topiary::SensitivityPlot</name>
    <message>
        <source>Pruned fraction of the layer (%)</source>
        <translation>该层剪枝比例 (%)</translation>
    </message>
    <message>
        <source>Bits per weight</source>
        <translation>每权重位数</translation>
    </message>
    <message>
        <source>Agreement with the original (%), measured: solid</source>
        <translation>与原模型的一致率 (%)，实测：实线</translation>
    </message>
    <message>
        <source>Top-1 accuracy (%), measured: solid</source>
        <translation>Top-1 准确率 (%)，实测：实线</translation>
    </message>
    <message>
        <source>Weight energy kept (%), estimate: dashed</source>
        <translation>保留的权重能量 (%)，估计：虚线</translation>
    </message>
    <message>
        <source>Accuracy of the model with only one layer compressed; click a curve to select its layer.</source>
        <translation>仅压缩单个层时模型的准确率；单击曲线以选中其所在层。</translation>
    </message>
    <message>
        <source>original: %1 %</source>
        <translation>原始：%1 %</translation>
    </message>
</context>
<context>
    <name>topiary::SensitivityRunner</name>
    <message>
        <source>A sensitivity analysis is already running.</source>
        <translation>敏感度分析已在运行。</translation>
    </message>
</context>
<context>
    <name>topiary::SessionFiles</name>
    <message>
        <source>Autosave failed: %1</source>
        <translation>自动保存失败：%1</translation>
    </message>
    <message>
        <source>Open &amp;Dataset…</source>
        <translation>打开数据集(&amp;D)…</translation>
    </message>
    <message>
        <source>Choose images to estimate accuracy on: an image folder, a path,label list or an IDX file</source>
        <translation>选择用于估计准确率的图像：图像文件夹、“路径,标签”列表或 IDX 文件</translation>
    </message>
    <message>
        <source>Open &amp;Project…</source>
        <translation>打开项目(&amp;P)…</translation>
    </message>
    <message>
        <source>Reopen a saved session: model, dataset, plan and history</source>
        <translation>重新打开已保存的会话：模型、数据集、方案和历史</translation>
    </message>
    <message>
        <source>Save Pro&amp;ject</source>
        <translation>保存项目(&amp;J)</translation>
    </message>
    <message>
        <source>Save the session (model, dataset, plan and history) as a .topiary project</source>
        <translation>将会话（模型、数据集、方案和历史）保存为 .topiary 项目</translation>
    </message>
    <message>
        <source>Save Project &amp;As…</source>
        <translation>项目另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>Save the session under a new name</source>
        <translation>以新名称保存会话</translation>
    </message>
    <message>
        <source>&amp;Load Recipe…</source>
        <translation>加载配方(&amp;L)…</translation>
    </message>
    <message>
        <source>Replace the plan with one saved as a recipe (JSON)</source>
        <translation>用保存为配方（JSON）的方案替换当前方案</translation>
    </message>
    <message>
        <source>&amp;Save Recipe…</source>
        <translation>保存配方(&amp;S)…</translation>
    </message>
    <message>
        <source>Save the plan as a recipe that topiary-cli apply can use</source>
        <translation>将方案保存为 topiary-cli apply 可用的配方</translation>
    </message>
    <message>
        <source>&amp;Export Compressed Model…</source>
        <translation>导出压缩模型(&amp;E)…</translation>
    </message>
    <message>
        <source>Apply the plan and write the compressed model as a new ONNX file</source>
        <translation>应用方案并将压缩模型写为新的 ONNX 文件</translation>
    </message>
    <message>
        <source>Export &amp;Report…</source>
        <translation>导出报告(&amp;R)…</translation>
    </message>
    <message>
        <source>Write an HTML report with the plots and the per-layer table, and a CSV of the table</source>
        <translation>写出包含图表和逐层表格的 HTML 报告，以及该表格的 CSV</translation>
    </message>
    <message>
        <source>Cannot evaluate on %1: %2</source>
        <translation>无法在 %1 上评估：%2</translation>
    </message>
    <message>
        <source>No preprocess.json beside %1 or the model: using defaults from the model&apos;s input, which may not be how it was trained</source>
        <translation>%1 和模型旁都没有 preprocess.json：使用模型输入的默认设置，可能与训练时的预处理不同</translation>
    </message>
    <message>
        <source>Preprocessing for %1 from %2</source>
        <translation>%1 的预处理来自%2</translation>
    </message>
    <message>
        <source>the project</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Cannot open dataset %1: %2</source>
        <translation>无法打开数据集 %1：%2</translation>
    </message>
    <message>
        <source>%1 has no labels: only agreement with the original and latency can be shown</source>
        <translation>%1 没有标签：只能显示与原模型的一致率和延迟</translation>
    </message>
    <message>
        <source>The bundled sample images could not be read</source>
        <translation>无法读取自带的示例图像</translation>
    </message>
    <message>
        <source>Could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Load recipe %1</source>
        <translation>加载配方 %1</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Saved the plan to %1</source>
        <translation>已将方案保存到 %1</translation>
    </message>
    <message>
        <source>Load Recipe</source>
        <translation>加载配方</translation>
    </message>
    <message>
        <source>Recipes (*.json)</source>
        <translation>配方 (*.json)</translation>
    </message>
    <message>
        <source>Save Recipe</source>
        <translation>保存配方</translation>
    </message>
    <message>
        <source>The bundled sample has no file a project can refer to: export it or open a model file first</source>
        <translation>自带示例没有可供项目引用的文件：请先将其导出或打开一个模型文件</translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Save failed</source>
        <translation>保存失败</translation>
    </message>
    <message>
        <source>Your session is unchanged and still open.</source>
        <translation>你的会话未改变，仍处于打开状态。</translation>
    </message>
    <message>
        <source>Saved the session to %1</source>
        <translation>已将会话保存到 %1</translation>
    </message>
    <message>
        <source>Could not open project %1: %2</source>
        <translation>无法打开项目 %1：%2</translation>
    </message>
    <message>
        <source>The project&apos;s model %1 is missing: it was moved or deleted</source>
        <translation>找不到项目的模型 %1：它已被移动或删除</translation>
    </message>
    <message>
        <source>%1 changed since the project was saved; plans that no longer fit are refused</source>
        <translation>%1 在项目保存后已更改；不再适用的方案将被拒绝</translation>
    </message>
    <message>
        <source>Open Project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <source>Topiary projects (*.topiary)</source>
        <translation>Topiary 项目 (*.topiary)</translation>
    </message>
    <message>
        <source>Save Project</source>
        <translation>保存项目</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>The plan of %1 has changed. Save the session as a project?</source>
        <translation>%1 的方案已更改。是否将会话保存为项目？</translation>
    </message>
    <message>
        <source>Recover unsaved session?</source>
        <translation>恢复未保存的会话？</translation>
    </message>
    <message>
        <source>Topiary did not close cleanly while you were working on %1. Recover that session?</source>
        <translation>Topiary 在你处理 %1 时未正常关闭。是否恢复该会话？</translation>
    </message>
    <message>
        <source>No model is open.</source>
        <translation>没有打开的模型。</translation>
    </message>
    <message>
        <source>Exporting %1…</source>
        <translation>正在导出 %1…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Stopped exporting %1; nothing was written</source>
        <translation>已停止导出 %1；未写入任何内容</translation>
    </message>
    <message>
        <source>Could not export %1: %2</source>
        <translation>无法导出 %1：%2</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <source>Nothing was written; the plan is unchanged.</source>
        <translation>未写入任何内容；方案未改变。</translation>
    </message>
    <message>
        <source>Wrote %1: %2 (predicted %3); %4 channels removed or zeroed, %5 weights zeroed, %6 layers quantized, %7 factored</source>
        <translation>已写入 %1：%2（预计 %3）；移除或置零 %4 个通道，置零 %5 个权重，量化 %6 个层，分解 %7 个</translation>
    </message>
    <message>
        <source>Could not write the report: %1</source>
        <translation>无法写入报告：%1</translation>
    </message>
    <message>
        <source>Wrote %1 and %2</source>
        <translation>已写入 %1 和 %2</translation>
    </message>
    <message>
        <source>Export Report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <source>HTML pages (*.html)</source>
        <translation>HTML 网页 (*.html)</translation>
    </message>
    <message>
        <source>Export Report as P&amp;DF…</source>
        <translation>将报告导出为 PDF(&amp;D)…</translation>
    </message>
    <message>
        <source>Write the report with its plots and the per-layer table as a PDF, to print or mail</source>
        <translation>将含图表和逐层表格的报告写为 PDF，便于打印或邮寄</translation>
    </message>
    <message>
        <source>the bundled sample images</source>
        <translation>内置示例图像</translation>
    </message>
    <message>
        <source>guesses from the model&apos;s input shape</source>
        <translation>根据模型输入形状的推测</translation>
    </message>
    <message>
        <source>the model&apos;s metadata</source>
        <translation>模型的元数据</translation>
    </message>
    <message>
        <source>The dataset was closed: it does not fit %1. Open one that does with File → Open Dataset.</source>
        <translation>数据集已关闭：它不适用于 %1。请用 文件 → 打开数据集 打开适用的数据集。</translation>
    </message>
    <message>
        <source>the sample&apos;s preprocess.json</source>
        <translation>示例的 preprocess.json</translation>
    </message>
    <message>
        <source>Open a model first: the data is checked against it</source>
        <translation>请先打开模型：数据要对照模型检查</translation>
    </message>
    <message>
        <source>your choice in the Dataset dialog</source>
        <translation>您在数据集对话框中的选择</translation>
    </message>
    <message>
        <source>the recipe %1</source>
        <translation>配方 %1</translation>
    </message>
    <message>
        <source>The plan of %1 has changed. The bundled sample cannot be saved as a project; save the plan with File → Save Recipe first, or discard it?</source>
        <translation>%1 的方案已更改。内置示例无法保存为项目；请先用 文件 → 保存配方 保存方案，还是放弃它？</translation>
    </message>
    <message>
        <source>Wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
    <message>
        <source>Export Report as PDF</source>
        <translation>将报告导出为 PDF</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF 文档 (*.pdf)</translation>
    </message>
</context>
<context>
    <name>topiary::TaylorRunner</name>
    <message numerus="yes">
        <source>Taylor importance computed on %n image(s)</source>
        <translation>
            <numerusform>已在 %n 张图像上计算 Taylor 重要性</numerusform>
        </translation>
    </message>
    <message>
        <source>Taylor importance was stopped</source>
        <translation>Taylor 重要性计算已停止</translation>
    </message>
    <message>
        <source>Taylor importance is already being computed</source>
        <translation>Taylor 重要性正在计算中</translation>
    </message>
    <message>
        <source>Taylor importance needs gradients on labelled images: open a labelled dataset first (File → Open Dataset)</source>
        <translation>Taylor 重要性需要带标签图像上的梯度：请先打开带标签的数据集（文件 → 打开数据集）</translation>
    </message>
    <message numerus="yes">
        <source>Taylor importance of %n image(s), from the cache</source>
        <translation>
            <numerusform>%n 张图像的 Taylor 重要性，来自缓存</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>topiary::ThemeMenu</name>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;System</source>
        <translation>跟随系统(&amp;S)</translation>
    </message>
    <message>
        <source>Use the desktop&apos;s own style and colours</source>
        <translation>使用桌面自身的样式和颜色</translation>
    </message>
    <message>
        <source>&amp;Light</source>
        <translation>浅色(&amp;L)</translation>
    </message>
    <message>
        <source>Dark text on a light background</source>
        <translation>浅色背景上的深色文字</translation>
    </message>
    <message>
        <source>&amp;Dark</source>
        <translation>深色(&amp;D)</translation>
    </message>
    <message>
        <source>Light text on a dark background, easier on the eyes in a dim room</source>
        <translation>深色背景上的浅色文字，在昏暗环境中更护眼</translation>
    </message>
</context>
<context>
    <name>topiary::TotalsPane</name>
    <message>
        <source>Evaluation failed: %1</source>
        <translation>评估失败：%1</translation>
    </message>
    <message>
        <source>No dataset: open one with File → Open Dataset to estimate accuracy.</source>
        <translation>没有数据集：请通过“文件 → 打开数据集”打开一个以估计准确率。</translation>
    </message>
    <message>
        <source>Open a dataset…</source>
        <translation>打开数据集…</translation>
    </message>
    <message>
        <source>the bundled sample images</source>
        <translation>内置示例图像</translation>
    </message>
    <message>
        <source>resize %1, crop %2</source>
        <translation>缩放到 %1，裁剪 %2</translation>
    </message>
    <message>
        <source>On %1; preprocessing %2, mean %3, std %4, from %5.</source>
        <translation>数据：%1；预处理 %2，均值 %3，标准差 %4，来自 %5。</translation>
    </message>
    <message>
        <source>the defaults</source>
        <translation>默认值</translation>
    </message>
    <message>
        <source>&lt;b&gt;Near chance&lt;/b&gt; (%1 % for %2 classes): the unmodified model is hardly better than guessing on these images, so the preprocessing is most likely not the one it was trained with.</source>
        <translation>&lt;b&gt;接近随机水平&lt;/b&gt;（%2 个类别时为 %1 %）：未修改的模型在这些图像上几乎不比瞎猜好，预处理很可能与训练时不同。</translation>
    </message>
    <message>
        <source>Check the preprocessing…</source>
        <translation>检查预处理…</translation>
    </message>
    <message>
        <source>Dataset…</source>
        <translation>数据集…</translation>
    </message>
</context>
<context>
    <name>topiary::TotalsPanel</name>
    <message>
        <source>%1 parameters</source>
        <translation>%1 个参数</translation>
    </message>
    <message>
        <source>%1 multiply-accumulates</source>
        <translation>%1 次乘加运算</translation>
    </message>
    <message>
        <source>Layers with weights: %1</source>
        <translation>含权重的层：%1</translation>
    </message>
    <message>
        <source>ONNX opset %1 (default domain)</source>
        <translation>ONNX 算子集 %1（默认域）</translation>
    </message>
    <message>
        <source>%1 % [%2, %3]</source>
        <translation>%1 % [%2, %3]</translation>
    </message>
    <message>
        <source> (estimating %1/%2)</source>
        <translation>（正在估计 %1/%2）</translation>
    </message>
    <message>
        <source>Not evaluated yet.</source>
        <translation>尚未评估。</translation>
    </message>
    <message>
        <source>Original: %1 of %2 images correct (95% Wilson interval).</source>
        <translation>原始：%2 张图像中正确 %1 张（95% Wilson 区间）。</translation>
    </message>
    <message>
        <source>%1 → %2 (%3 pt)%4</source>
        <translation>%1 → %2（%3 个百分点）%4</translation>
    </message>
    <message>
        <source>With the plan: %1 of %2 images correct so far.</source>
        <translation>应用方案：目前 %2 张图像中正确 %1 张。</translation>
    </message>
    <message>
        <source>Images whose top-1 class is the same as the original model&apos;s: %1 of %2.</source>
        <translation>Top-1 类别与原模型相同的图像：%2 张中 %1 张。</translation>
    </message>
    <message>
        <source>Shown once the plan changes the model.</source>
        <translation>方案改变模型后显示。</translation>
    </message>
    <message>
        <source>Measured after the first batch.</source>
        <translation>在第一批之后测量。</translation>
    </message>
    <message>
        <source>%1 → %2 (%3 %)</source>
        <translation>%1 → %2（%3 %）</translation>
    </message>
    <message>
        <source>Original: %1
With the plan: %2</source>
        <translation>原始：%1
应用方案：%2</translation>
    </message>
    <message>
        <source>Accuracy (top-1)</source>
        <translation>准确率（Top-1）</translation>
    </message>
    <message>
        <source>Top-1 accuracy on the dataset with its 95% confidence interval, original → with the plan.</source>
        <translation>数据集上的 Top-1 准确率及其 95% 置信区间，原始 → 应用方案。</translation>
    </message>
    <message>
        <source>Agreement</source>
        <translation>一致率</translation>
    </message>
    <message>
        <source>How often the compressed model predicts the same class as the original.</source>
        <translation>压缩模型与原模型预测相同类别的比例。</translation>
    </message>
    <message>
        <source>Params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>Elements of every layer&apos;s weight and bias, plus the scale and shift of attached BatchNormalizations.</source>
        <translation>所有层权重和偏置的元素个数，加上附带 BatchNormalization 的缩放和偏移。</translation>
    </message>
    <message>
        <source>MACs, conv + linear</source>
        <translation>MACs（卷积 + 全连接）</translation>
    </message>
    <message>
        <source>Multiply-accumulates of the convolutions and matrix products for one input (batch size 1).</source>
        <translation>单个输入（批大小 1）时卷积和矩阵乘法的乘加运算次数。</translation>
    </message>
    <message>
        <source>MACs, all ops</source>
        <translation>MACs（全部算子）</translation>
    </message>
    <message>
        <source>Multiply-accumulates of every op, including pooling, normalization and elementwise ops.</source>
        <translation>所有算子的乘加运算次数，包括池化、归一化和逐元素运算。</translation>
    </message>
    <message>
        <source>Weight size</source>
        <translation>权重大小</translation>
    </message>
    <message>
        <source>Bytes of all layer parameters at their stored type (1 MB = 10^6 bytes).</source>
        <translation>所有层参数按存储类型计算的字节数（1 MB = 10^6 字节）。</translation>
    </message>
    <message>
        <source>Exported size</source>
        <translation>导出大小</translation>
    </message>
    <message>
        <source>Size of the ONNX file File → Export writes for this plan (shrunk, float weights).</source>
        <translation>“文件 → 导出”为此方案写出的 ONNX 文件大小（瘦身，浮点权重）。</translation>
    </message>
    <message>
        <source>Peak activations</source>
        <translation>峰值激活</translation>
    </message>
    <message>
        <source>The most activation memory alive at any one step when the graph runs node by node.</source>
        <translation>逐节点运行计算图时，任一步同时存活的激活内存最大值。</translation>
    </message>
    <message>
        <source>Memory traffic</source>
        <translation>内存流量</translation>
    </message>
    <message>
        <source>Bytes read and written by all nodes together: every input read once and every output written once.</source>
        <translation>所有节点合计读写的字节数：每个输入读取一次，每个输出写入一次。</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <source>Size of the ONNX file the model was loaded from.</source>
        <translation>加载模型所用 ONNX 文件的大小。</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>Number of nodes that carry weights: convolutions, Gemm and MatMul with a constant operand.</source>
        <translation>带权重的节点数：卷积、Gemm 以及带常量操作数的 MatMul。</translation>
    </message>
    <message>
        <source>Opset</source>
        <translation>算子集</translation>
    </message>
    <message>
        <source>The ONNX operator set version the model declares for the default domain.</source>
        <translation>模型为默认域声明的 ONNX 算子集版本。</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1 ms ± %2</source>
        <translation>%1 毫秒 ± %2</translation>
    </message>
    <message>
        <source>Forward time per image in OpenCV dnn on this machine: the median of the batches after the first, ± half the range of their middle half.</source>
        <translation>本机 OpenCV dnn 中每张图像的前向时间：第一批之后各批的中位数，± 其中间一半范围的一半。</translation>
    </message>
    <message>
        <source>%1 → %2</source>
        <translation>%1 → %2</translation>
    </message>
    <message>
        <source>%1 and %2 batches timed.</source>
        <translation>分别计时 %1 批和 %2 批。</translation>
    </message>
    <message>
        <source>%1 batches timed.</source>
        <translation>计时 %1 批。</translation>
    </message>
    <message>
        <source>Latency (OpenCV)</source>
        <translation>延迟（OpenCV）</translation>
    </message>
    <message>
        <source>Forward time per image in OpenCV dnn on this machine, original → with the plan. The exported file&apos;s latency is measured after File → Export; in ONNX Runtime with topiary-cli bench.</source>
        <translation>本机上 OpenCV dnn 中每张图像的前向时间，原模型 → 应用方案后。导出文件的延迟在“文件 → 导出”之后测量；在 ONNX Runtime 中用 topiary-cli bench 测量。</translation>
    </message>
</context>
<context>
    <name>topiary::TraceFrame</name>
    <message>
        <source>%1: filter %2</source>
        <translation>%1：滤波器 %2</translation>
    </message>
    <message>
        <source>−filter %1</source>
        <translation>−滤波器 %1</translation>
    </message>
    <message>
        <source>%1: depthwise filter %2</source>
        <translation>%1：深度卷积滤波器 %2</translation>
    </message>
    <message>
        <source>%1: channel %2</source>
        <translation>%1：通道 %2</translation>
    </message>
    <message>
        <source>−ch %1</source>
        <translation>−通道 %1</translation>
    </message>
    <message>
        <source>%1: input columns %2</source>
        <translation>%1：输入列 %2</translation>
    </message>
    <message>
        <source>−in %1</source>
        <translation>−输入 %1</translation>
    </message>
    <message>
        <source>%1: input channel %2</source>
        <translation>%1：输入通道 %2</translation>
    </message>
    <message>
        <source>%1: constant entry %2</source>
        <translation>%1：常量条目 %2</translation>
    </message>
    <message>
        <source>%1: shape recomputed</source>
        <translation>%1：形状重新计算</translation>
    </message>
    <message>
        <source>shape</source>
        <translation>形状</translation>
    </message>
    <message>
        <source>%1: filter %2 (makes the same channel)</source>
        <translation>%1：滤波器 %2（产生同一通道）</translation>
    </message>
</context>
<context>
    <name>topiary::TrainerClient</name>
    <message>
        <source>The trainer %1 could not be started (%2). Build topiary-train, or name it with TOPIARY_TRAIN.</source>
        <translation>无法启动训练进程 %1（%2）。请构建 topiary-train，或用 TOPIARY_TRAIN 指定它。</translation>
    </message>
    <message>
        <source>The trainer wrote something that is not JSON: %1</source>
        <translation>训练进程输出了非 JSON 内容：%1</translation>
    </message>
    <message>
        <source>The trainer ended unexpectedly. %1</source>
        <translation>训练进程意外结束。%1</translation>
    </message>
</context>
<context>
    <name>topiary::TrainingPane</name>
    <message>
        <source>Computing Taylor importance in the trainer…</source>
        <translation>正在训练进程中计算 Taylor 重要性…</translation>
    </message>
    <message>
        <source>Taylor importance: batch %1 of %2</source>
        <translation>Taylor 重要性：第 %1 批，共 %2 批</translation>
    </message>
    <message>
        <source>Training Is Running</source>
        <translation>训练正在进行</translation>
    </message>
    <message>
        <source>The trainer is still working. Stop it and close? The last checkpoint is kept.</source>
        <translation>训练进程仍在工作。要停止并关闭吗？最后一个检查点会保留。</translation>
    </message>
    <message>
        <source>&amp;Fine-tune…</source>
        <translation>微调(&amp;F)…</translation>
    </message>
    <message>
        <source>Train the model under the plan to win accuracy back (in the trainer process)</source>
        <translation>在计划下训练模型以恢复精度（在训练进程中）</translation>
    </message>
    <message>
        <source>&amp;Taylor Importance</source>
        <translation>Taylor 重要性(&amp;T)</translation>
    </message>
    <message>
        <source>Rank filters by |w · ∂L/∂w| from gradients on the dataset&apos;s labelled images (in the trainer process)</source>
        <translation>按数据集带标签图像上梯度得到的 |w · ∂L/∂w| 对滤波器排序（在训练进程中）</translation>
    </message>
    <message>
        <source>Recover is on: training starts from the recovered weights (%1 on %2 calibration images of %3), not from the bare cut. Use one pruning round and a small learning rate (e.g. 0.001) to keep what recovery gave.</source>
        <translation>恢复已开启：训练从恢复后的权重开始（%1，使用 %3 中的 %2 张校准图像），而不是从直接剪裁后的权重开始。请使用一轮剪枝和较小的学习率（例如 0.001），以保留恢复带来的精度。</translation>
    </message>
    <message>
        <source>the training data</source>
        <translation>训练数据</translation>
    </message>
</context>
<context>
    <name>topiary::UndoActions</name>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Undo %1</source>
        <translation>撤销 %1(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Redo %1</source>
        <translation>重做 %1(&amp;R)</translation>
    </message>
    <message>
        <source>Take back the last change of the plan</source>
        <translation>撤回对方案的最后一次更改</translation>
    </message>
    <message>
        <source>Make the change taken back again</source>
        <translation>再次执行已撤回的更改</translation>
    </message>
</context>
<context>
    <name>topiary::WeightHistogramPlot</name>
    <message>
        <source>weight value</source>
        <translation>权重值</translation>
    </message>
    <message>
        <source>weights per bin</source>
        <translation>每个区间的权重数</translation>
    </message>
    <message>
        <source>Histogram of the layer&apos;s weights; drag a red line to prune every weight whose magnitude lies below it.</source>
        <translation>该层权重的直方图；拖动红线可剪除绝对值低于它的所有权重。</translation>
    </message>
    <message>
        <source>No weights to show</source>
        <translation>没有可显示的权重</translation>
    </message>
    <message>
        <source>cut at |w| = %1</source>
        <translation>截断于 |w| = %1</translation>
    </message>
    <message>
        <source>cut at |w| = %1 · %2 % of weights pruned</source>
        <translation>截断于 |w| = %1 · 已剪除 %2 % 的权重</translation>
    </message>
    <message>
        <source>drag the dashed line to prune by magnitude</source>
        <translation>拖动虚线按绝对值剪枝</translation>
    </message>
    <message numerus="yes">
        <source>%n quantization level(s) shown</source>
        <translation>
            <numerusform>显示了 %n 个量化级别</numerusform>
        </translation>
    </message>
    <message>
        <source>Save the histogram as a PNG, SVG or PDF file.</source>
        <translation>将直方图保存为 PNG、SVG 或 PDF 文件。</translation>
    </message>
    <message>
        <source>Logarithmic counts</source>
        <translation>对数计数</translation>
    </message>
    <message>
        <source>Show bin counts on a logarithmic axis, so sparse tails stay visible.</source>
        <translation>以对数坐标显示区间计数，使稀疏的尾部依然可见。</translation>
    </message>
    <message>
        <source>weight-histogram.png</source>
        <translation>weight-histogram.png</translation>
    </message>
    <message numerus="yes">
        <source>1 in %1 of %n quantization levels shown</source>
        <translation>
            <numerusform>%n 个量化级别中每 %1 个显示一个</numerusform>
        </translation>
    </message>
    <message>
        <source>MSE range</source>
        <translation>MSE 范围</translation>
    </message>
    <message>
        <source>min/max</source>
        <translation>最小/最大</translation>
    </message>
    <message>
        <source>MSE clipping range [%1, %2]</source>
        <translation>MSE 截断范围 [%1, %2]</translation>
    </message>
</context>
</TS>
