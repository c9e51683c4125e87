"""Typed relations a reader would call wrong must not be drawn; the right ones still are.

Each case is a small note built into a real index, checked by concept names."""

import pytest

from conftest import index_of_note
from kg.errors import UnknownConceptError


def _typed(tmp_path, text: str):
    index = index_of_note(tmp_path, text)
    return index, {(r.source, r.target, r.type) for r in index.relations if r.type != "related"}


def _id(index, name: str):
    """The concept id a name resolves to, or None if the notes made no such concept."""
    try:
        return index.resolve(name).id
    except UnknownConceptError:
        return None


def _edge(index, source: str, target: str, type_: str):
    return _id(index, source), _id(index, target), type_


MISREADINGS = [
    ("## 检测\n\n+ 无 anchor 算法: CenterNet、FCOS\n", "CenterNet", "anchor", "is_a"),
    ("## 激活函数\n\n激活函数:\n\n1. sigmoid函数:输出在0到1之间\n2. tanh函数:输出在-1到1之间\n"
     "3. 如果遇到了一些死的神经元,我们可以使用 Leaky ReLU 函数。\n", "神经元", "激活函数", "is_a"),
    ("## 激活函数\n\n- sigmoid函数:输出在0到1之间\n- tanh函数:值域为-1到1\n", "tanh", "sigmoid", "is_a"),
    ("## 激活函数\n\n3. sigmoid 激活函数:除了输出层是一个二分类问题基本不会用它。\n", "输出层", "激活函数", "is_a"),
    ("SVM 的优化问题是一种 dropout 问题。\n", "SVM", "dropout", "is_a"),
    ("因 SVM 训练太慢造成精度降低,DeepLab 使用空洞卷积扩大感受野。\n", "SVM", "空洞卷积", "uses"),
    ("| 方法 | 作用 |\n|---|---|\n| dropout 防止过拟合 | 正则化 |\n", "dropout", "过拟合", "solves"),
    ("dropout 可以防止过拟合。\n\ndropout 能缓解过拟合。\n\ndropout 是防止过拟合的方法，而导致过拟合的位置往往在边界。\n",
     "dropout", "过拟合", "causes"),
    ("MobileNet 和 LeNet 都是卷积网络。\n\nMobileNet 比 LeNet 新。\n", "MobileNet", "LeNet", "improves"),
    # the subject of an item in an inline numbered list is the item's, not the item before's
    ("## WGAN的改进\n\n1. 去掉最后一层的sigmoid 2. 生成器和判别器的loss不取log 3. 使用RMSprop优化\n",
     "生成器", "RMSprop", "uses"),
    # the object is the head noun, not a modifier before 过程/问题
    ("BN可以解决反向传播过程中的梯度问题。\n", "BN", "反向传播", "solves"),
    ("WGAN解决了GAN训练不稳定的问题。\n", "WGAN", "GAN", "solves"),
    ("池化后的特征进行展平送入全连接,最后利用一个分类头得到类别概率。\n", "池化", "检测头", "uses"),
    # lowering something is no remedy by it, nor is the list's problem the subject of its last item
    ("欠拟合的处理方法:模型复杂化、增加特征、降低正则化约束\n", "正则化", "欠拟合", "solves"),
    ("欠拟合的处理方法:模型复杂化、增加特征、降低正则化约束\n", "欠拟合", "正则化", "solves"),
    ("- 避免使用ReLU和pooling层，可以使用LeakyReLU激活函数\n", "ReLU", "LeakyReLU", "solves"),
    ("取消量化操作，使用双线性插值的方法获得坐标。\n", "量化", "双线性插值", "uses"),
    # a contrast needs both names at the comparison word, and no 没有区别
    ("若预训练模型的数据和微调训练的数据语义差异越大，效果越差。\n", "预训练", "微调", "contrasts"),
    ("在这里反卷积与卷积没有区别。\n", "反卷积", "卷积", "contrasts"),
    # a name variant is related, not an improvement, unless a sentence says so
    ("## 检测\n\nFast R-CNN 和 R-CNN 都是检测器。\n\nFast R-CNN 更快。\n", "Fast R-CNN", "R-CNN", "improves"),
    # a Latin name inside a longer one is not mentioned (`FCN` in `R-FCN`)
    ("R-FCN 仍属于two-stage 目标检测算法。\n", "FCN", "两阶段检测", "is_a"),
    # a kind is named by its class word, not by what it is for or a library of it
    ("TensorFlow 并不仅仅是一个深度学习库。\n", "TensorFlow", "深度学习", "is_a"),
    ("SVM是一种有坚实理论基础的适用小样本学习方法。\n", "SVM", "小样本学习", "is_a"),
    # what is solved is a problem: `直方图处理` processes histograms
    ("## 直方图处理\n\n1. 定义一个邻域并移动中心。\n2. 使用卷积计算直方图。\n", "卷积", "直方图", "solves"),
    ("cycleGAN的生成器采用U-Net，判别器采用LS-GAN。\n", "CycleGAN", "判别器", "contrasts"),
    ("stride=2的conv不使用shortcut，stride=1的conv使用shortcut\n", "卷积", "stride", "contrasts"),
    # a heading about two problems: an item that names neither remedies neither; an item that
    # qualifies itself with another problem remedies that one
    ("## 如何解决梯度消失和梯度爆炸问题\n\n+ LSTM 结构\n+ ReLU 激活函数\n", "LSTM", "梯度爆炸", "solves"),
    ("## 如何解决梯度消失和梯度爆炸问题\n\n+ LSTM 结构\n+ ReLU 激活函数\n", "ReLU", "梯度消失", "solves"),
    ("## 梯度消失、爆炸的解决方案\n\n1、梯度裁剪：主要针对梯度爆炸，给梯度设一个阈值。\n2、LSTM：门结构让梯度消失不容易发生。\n",
     "梯度裁剪", "梯度消失", "solves"),
    ("## 梯度消失解决办法\n\n- 梯度剪切(爆炸)\n- 使用ReLU激活函数\n", "梯度裁剪", "梯度消失", "solves"),
    # raising or tuning a concept is the remedy, not the concept; a lead-in announces, it remedies nothing
    ("**如何解决过拟合：**\n1. 采用dropout方法。\n2. 增大学习率。\n", "学习率", "过拟合", "solves"),
    ("## 如何防止陷入局部最优?\n\n梯度下降法是常用的优化算法，为了防止陷入局部最优，通常会采用如下一些方法：\n\n"
     "**（1）动量**\n\n动量每次加入上一次的梯度量。\n", "梯度下降", "局部最优", "solves"),
    # a reducing verb solves only a problem; 基于…改进 improves, it is no use
    ("BN 大大降低了网络参数。\n", "BN", "网络参数", "solves"),
    ("Fast R-CNN是基于R-CNN进行的改进。\n", "Fast R-CNN", "R-CNN", "uses"),
    # what is added (将X加入Y) does not use what it is added to
    ("将动量加入 RMSProp 是最直观的做法。\n", "动量", "RMSProp", "uses"),
    # a name followed by another noun is that noun's: plots, a library, a bound of a difference
    ("根据坐标的不同，欠拟合与过拟合图解不同。\n", "欠拟合", "过拟合", "contrasts"),
    ("训练误差和泛化误差之间差异的上界随模型容量增长。\n", "训练误差", "泛化误差", "contrasts"),
    ("可以对卷积层和全连接层使用不同的压缩方法。\n", "卷积", "全连接层", "contrasts"),
    ("`imgaug` 图像增强库使用 `GaussianBlur` 函数。\n", "数据增强", "高斯滤波", "uses"),
    ("BigDL是一种基于Spark的分布式深度学习框架。\n", "BigDL", "深度学习", "is_a"),
    # 相对于 without a comparative is a position
    ("预测的边界框相对于特征图的中心坐标如下。\n", "边界框", "特征图", "contrasts"),
    # members of a list of losses or algorithms are no kinds of the task the list serves
    ("- 边界框回归损失：`MSE`，`IoU`，`GIoU` 损失；\n", "IoU", "边界框回归", "is_a"),
    ("+ 量化算法：`MINMAX`、`KL` 散度、`ADMM`；\n", "KL散度", "量化", "is_a"),
    ("+ 亮度、对比度增强：调整图像的色彩\n+ 锐化：让边缘更清楚\n", "亮度", "数据增强", "is_a"),
    # a formula is a computation, not a composition; a worked example is not its heading's use
    ("查全率（Recall）=TP/（TP+FN）\n", "TP", "召回率", "part_of"),
    ("### 后验概率实例\n\n+ 使用贝叶斯定理，事件A是看到女生。\n", "后验概率", "贝叶斯定理", "uses"),
    # what is used instead of something is not used
    ("AlexNet 使用 ReLU 而不是 sigmoid。\n", "AlexNet", "sigmoid", "uses"),
    ("AlexNet 不使用 sigmoid，而使用 ReLU。\n", "AlexNet", "sigmoid", "uses"),
    # a list of things the subject is one of is not what it uses
    ("- CIoU：使用了 GIoU，CIoU，DIoU 这些算法来实现边框回归。\n", "CIoU", "GIoU", "uses"),
    # `A是…，而B是…` sets the clauses' subjects against each other, not a name inside them
    ("在 RPN 阶段分类是二分类，而 Fast R-CNN 阶段是多分类。\n", "分类", "Fast R-CNN", "contrasts"),
    ("卷积神经网络中的卷积操作是关键组成，而卷积操作只是一种数学运算。\n", "卷积神经网络", "卷积", "contrasts"),
    # X是一个Y问题 poses X as a problem; it is no kind of Y
    ("SVM 的训练是一个凸优化问题。\n\nSVM 是一个凸优化问题。\n", "SVM", "凸优化", "is_a"),
    # an optimisation on top of something improves it; `相对于` does not compare there
    ("DeepLabv2 是相对于 DeepLabv1 基础上的优化。\n", "DeepLabv2", "DeepLabv1", "contrasts"),
    ("Adam 是基于梯度的优化算法。\n", "Adam", "梯度", "improves"),
    # a framework building things on a base provides them; an object least added or not needed is not used
    ("PyTorch 是深度学习框架。\n\nPyTorch 基于 Optimizer 基类构建了十种优化器。\n\nPyTorch 很流行。\n",
     "PyTorch", "优化器", "uses"),
    ("正态分布是对模型加入先验知识最少的分布。\n", "正态分布", "先验概率", "uses"),
    ("BN 无需使用 dropout。\n", "BN", "dropout", "uses"),
    # two clauses that each assign a value contrast only where a difference is said
    ("- Generator使用Adam，Discriminator使用SGD\n", "生成器", "判别器", "contrasts"),
    ("cycleGAN的生成器采用U-Net，判别器采用LS-GAN。\n", "生成器", "判别器", "contrasts"),
    ("逻辑回归采用log损失，SVM采用合页损失。\n", "逻辑回归", "SVM", "contrasts"),
    # a bare root several concepts share is no alias of one: a general re-parameterisation is not
    # the VAE reparameterization trick, the Bayesian school not Bayes' theorem
    ("Weight Normalization 属于参数重写（Reparameterization）的方法。\n",
     "Weight Normalization", "重参数化技巧", "is_a"),
    ("朴素贝叶斯属于贝叶斯，逻辑回归是最大似然。\n", "朴素贝叶斯", "贝叶斯定理", "is_a"),
    # a bare part of a model as subject is that model's part; a better Y is no kind of Y
    ("## DeepLabv3+\n\n编码器采用 ResNet。\n", "编码器", "ResNet", "uses"),
    ("Generator使用Adam，Discriminator使用SGD。\n", "生成器", "Adam", "uses"),
    ("RoIAlign 其实就是一个更加精准的 RoIPooling。\n", "RoIAlign", "RoIPooling", "is_a"),
    # a name that qualifies a later one through 的 is not what is used
    ("YOLOv3 使用 Ground Truth 和预测框的交并比作为损失。\n", "YOLOv3", "GT", "uses"),
    # `这个问题` points back only to a problem its clause ends on
    ("过拟合时模型的权重较大，使用 dropout 可以缓解这一问题。\n", "dropout", "过拟合", "solves"),
    # `与X不同` needs the difference word
    ("和卷积一样，池化也没有可学习的参数。\n", "池化", "卷积", "contrasts"),
    # an item that does not help, a broken-off line and a cited book remedy nothing; a compound
    # name the notes do not know is no kind of its last word's concept
    ("## 如何解决梯度消失\n\n- 梯度裁剪有助于处理梯度爆炸，但它无助于梯度消失。\n- 使用 ReLU\n", "梯度裁剪", "梯度消失", "solves"),
    ("## 如何解决梯度消失\n\n- 与梯度向量\n- 使用 ReLU\n", "梯度", "梯度消失", "solves"),
    ("## 如何解决梯度消失\n\n- 《深度学习》 10.10 门控 RNN\n- 使用 ReLU\n", "深度学习", "梯度消失", "solves"),
    ("双线性池化是一种特征融合方法。\n", "池化", "特征融合", "is_a"),
]
RIGHT_READINGS = [
    ("聚类算法: KMeans、GMM\n", "GMM", "聚类", "is_a"),
    ("## 激活函数\n\n激活函数:\n\n1. sigmoid函数:输出在0到1之间\n2. tanh函数:输出在-1到1之间\n", "tanh", "激活函数", "is_a"),
    ("因为训练太慢,DeepLab 使用空洞卷积扩大感受野。\n", "DeepLab", "空洞卷积", "uses"),
    ("dropout 的作用是防止过拟合。\n", "dropout", "过拟合", "solves"),
    ("过拟合的处理方法:调整参数与超参数、dropout\n", "dropout", "过拟合", "solves"),
    ("Leaky ReLU 和 ReLU 都是激活函数。\n\nLeaky ReLU 改进了 ReLU 的负半轴。\n", "Leaky ReLU", "ReLU", "improves"),
    ("## WGAN的改进\n\n1. 去掉最后一层的sigmoid 2. 生成器和判别器的loss不取log 3. 使用RMSprop优化\n",
     "WGAN", "RMSprop", "uses"),
    ("欠拟合的处理方法:模型复杂化、增加特征、降低正则化约束\n", "模型复杂化", "欠拟合", "solves"),
    ("3、剪枝：决策树容易过拟合，一般来需要剪枝，缩小树结构规模、缓解过拟合。\n", "剪枝", "过拟合", "solves"),
    ("bagging 和 boosting 区别是什么?\n", "bagging", "boosting", "contrasts"),
    ("Fast R-CNN是基于R-CNN进行的改进。\n", "Fast R-CNN", "R-CNN", "improves"),
    ("YOLO是一类典型的 one-stage 目标检测算法。\n", "YOLO", "one-stage", "is_a"),
    ("RetinaNet = ResNet + FPN + Focal Loss\n", "FPN", "RetinaNet", "part_of"),
    ("LSTM 拥有三个门，分别是遗忘门，输入门和输出门。\n", "遗忘门", "LSTM", "part_of"),
    ("GoogLeNet中最核心的部分是其内部子网络结构Inception。\n", "Inception", "GoogLeNet", "part_of"),
    ("Adam 算法在 RMSProp 算法基础上对梯度做了指数加权移动平均。\n", "Adam", "RMSProp", "improves"),
    ("New loss：提出Focal Loss函数解决类别不平衡\n", "Focal Loss", "类别不平衡", "solves"),
    ("CNN由卷积层、池化层和全连接层组成。\n", "全连接层", "CNN", "part_of"),
    ("## 梯度消失、爆炸的解决方案\n\n1、梯度裁剪：主要针对梯度爆炸，给梯度设一个阈值。\n2、LSTM：门结构让梯度消失不容易发生。\n",
     "梯度裁剪", "梯度爆炸", "solves"),
    ("## 梯度消失、爆炸的解决方案\n\n1、梯度裁剪：主要针对梯度爆炸，给梯度设一个阈值。\n2、LSTM：门结构让梯度消失不容易发生。\n",
     "LSTM", "梯度消失", "solves"),
    ("## 梯度消失解决办法\n\n- 梯度剪切(爆炸)\n- 使用ReLU激活函数\n", "ReLU", "梯度消失", "solves"),
    ("BN 能够减少过拟合。\n", "BN", "过拟合", "solves"),
    ("## 如何解决过拟合\n\n1. 数据增强：\n2. 早停：\n", "数据增强", "过拟合", "solves"),
    ("FPN是基于Faster R-CNN进行改进。\n", "FPN", "Faster R-CNN", "improves"),
    ("Focal Loss 是在交叉熵（CE）损失函数的基础上改进的。\n", "Focal Loss", "交叉熵", "improves"),
    ("SGD 和 Adam 具有不同更新规则。\n", "SGD", "Adam", "contrasts"),
    ("tanh函数相对于sigmoid函数来说梯度较大。\n", "tanh", "sigmoid", "contrasts"),
    ("- 激活函数：`ReLU`，`SELU`，`Swish` 或 `Mish`；\n", "Swish", "激活函数", "is_a"),
    ("AlexNet 使用 ReLU 而不是 sigmoid。\n", "AlexNet", "ReLU", "uses"),
    ("精确率是看预测为正的样本，而召回率看的是真实为正的样本。\n", "精确率", "召回率", "contrasts"),
    ("FCN 的解码网络中，上采样使用反卷积实现，上采样的特征图与编码图进行逐元素相加得到最终的解码特征图。\n",
     "上采样", "反卷积", "uses"),
    ("DeepLabv2 是相对于 DeepLabv1 基础上的优化。\n", "DeepLabv2", "DeepLabv1", "improves"),
    ("YOLOv4 是基于 YOLOv3 的优化。\n", "YOLOv4", "YOLOv3", "improves"),
    ("## 逻辑回归与SVM的异同\n\n1、逻辑回归采用log损失，SVM采用合页损失。\n", "逻辑回归", "SVM", "contrasts"),
    ("逻辑回归采用log损失，而SVM采用合页损失。\n", "逻辑回归", "SVM", "contrasts"),
    ("反向传播算法是基于梯度下降策略的。\n", "反向传播", "梯度下降", "uses"),
    ("cycleGAN的生成器采用U-Net。\n", "CycleGAN", "U-Net", "uses"),
    ("生成器是一个神经网络。\n", "生成器", "神经网络", "is_a"),
    ("RoIAlign 其实就是一个更加精准的 RoIPooling。\n", "RoIAlign", "RoIPooling", "improves"),
    ("训练时输入分布不断变化，这种现象称为内部协变量偏移，BN 就是来解决这个问题的。\n", "BN", "内部协变量偏移", "solves"),
    ("与卷积层不同，池化层没有可学习的参数。\n", "池化层", "卷积层", "contrasts"),
    ("Mask R-CNN 继承自 Faster R-CNN，主要有三个改进。\n", "Mask R-CNN", "Faster R-CNN", "improves"),
]


@pytest.mark.parametrize("text,source,target,type_,drawn",
                         [(*case, False) for case in MISREADINGS] + [(*case, True) for case in RIGHT_READINGS])
def test_an_edge_is_drawn_only_for_the_right_reading(tmp_path, text, source, target, type_, drawn):
    index, typed = _typed(tmp_path, text)
    assert (_edge(index, source, target, type_) in typed) is drawn


@pytest.mark.parametrize("text,name,other", [
    ("精度（precision）很重要。\n\n精度（accuracy）也很重要。\n", "精度", "precision"),  # glossed as two concepts
    ("AUC即曲线下面积（AUC）。\n\n面积（AUC）越大越好。\n", "面积", "AUC"),  # a generic noun
    ("例如在机器学习（Andrew Ng）的课中会讲到。\n", "Andrew Ng", "机器学习"),  # no English name of it
])
def test_a_generic_or_partial_word_is_no_alias(tmp_path, text, name, other):
    index, _ = _typed(tmp_path, text)
    assert _id(index, other) is not None and _id(index, name) != _id(index, other)


def test_a_gloss_sharing_an_english_word_is_an_alias(tmp_path):
    index, _ = _typed(tmp_path, "训练时用早停（stopping early）。\n")
    assert _id(index, "stopping early") == _id(index, "早停")


def test_plural_names_are_one_concept(tmp_path):
    text = "".join(f"FooNet 第{i}次出现。\n\nFooNets 第{i}次出现。\n\n" for i in range(4))
    index, _ = _typed(tmp_path, text)
    assert _id(index, "FooNets") is not None and _id(index, "FooNets") == _id(index, "FooNet")


@pytest.mark.parametrize("text,kept", [
    ("## ILSVRC挑战赛历年冠军\n\n一行内容。\n", False),
    ("## 局部组合性\n\n局部组合性很有用。\n\n局部组合性也很重要。\n", True),
])
def test_a_heading_is_a_concept_only_if_the_notes_write_it(tmp_path, text, kept):
    index, _ = _typed(tmp_path, text)
    name = text.split("\n")[0].lstrip("# ")
    assert (_id(index, name) is not None) is kept
