set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 14793.512
124439808 200.282965
EOD
$d1 << EOD
102714 41442.1531
124439808 4010.72489
EOD
$d2 << EOD
102714 43454.5599
124439808 4272.19381
EOD
$d3 << EOD
102714 43475.254
124439808 2810.16327
EOD
$d4 << EOD
102714 44544.8007
124439808 4071.28279
EOD
$d5 << EOD
102714 44641.5269
124439808 3726.54733
EOD
$d6 << EOD
102714 5972.76101
124439808 141.920076
EOD
$d7 << EOD
102714 4289.39725
124439808 1057.58321
EOD
$d8 << EOD
102714 1457.76435
124439808 276.525258
EOD
$d9 << EOD
102714 4023.23429
124439808 1003.06351
EOD
$d10 << EOD
102714 1226.85363
124439808 434.56336
EOD
$d11 << EOD
102714 741.06216
124439808 280.432215
EOD
$d12 << EOD
102714 1285.50952
124439808 232.808325
EOD
$d13 << EOD
102714 741.158242
124439808 176.324126
EOD
$d14 << EOD
102714 412.73728
124439808 127.231887
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=true]', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0 [cuda_graphs=(unset)]', \
     $d9 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=true]', \
     $d10 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0 [cuda_graphs=(unset)]', \
     $d11 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d13 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d14 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
