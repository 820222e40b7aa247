set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s5.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, batch_medium (4x64)'
$d0 << EOD
102714 238286.648
124439808 1042.86077
EOD
$d1 << EOD
102714 1955847.77
124439808 291841.3
EOD
$d2 << EOD
102714 1686735.59
124439808 288588.655
EOD
$d3 << EOD
102714 1440423.22
124439808 108678.323
EOD
$d4 << EOD
102714 1826016.75
124439808 30337.2646
EOD
$d5 << EOD
102714 1714140.62
124439808 223627.918
EOD
$d6 << EOD
102714 217425.534
124439808 3992.38603
EOD
$d7 << EOD
102714 251264.094
124439808 92162.6266
EOD
$d8 << EOD
102714 276589.564
124439808 74020.5012
EOD
$d9 << EOD
102714 262178.648
124439808 87759.3107
EOD
$d10 << EOD
102714 204986.286
124439808 52689.7269
EOD
$d11 << EOD
102714 177495.455
124439808 29994.7594
EOD
$d12 << EOD
102714 139159.273
124439808 40834.3737
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'onnxruntime-cuda fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'onnxruntime-cuda fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d11 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d12 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
