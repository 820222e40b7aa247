set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s4.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, batch_short (4x32)'
$d0 << EOD
102714 60876.2999
124439808 646.753254
EOD
$d1 << EOD
102714 155361.859
124439808 9017.6809
EOD
$d2 << EOD
102714 161098.659
124439808 9899.73891
EOD
$d3 << EOD
102714 163452.916
124439808 6575.72815
EOD
$d4 << EOD
102714 166863.32
124439808 7565.72075
EOD
$d5 << EOD
102714 168478.604
124439808 7414.84926
EOD
$d6 << EOD
102714 7511.66373
124439808 447.56476
EOD
$d7 << EOD
102714 7336.94532
124439808 3024.43292
EOD
$d8 << EOD
102714 4056.1213
124439808 952.037381
EOD
$d9 << EOD
102714 6012.99223
124439808 2547.89367
EOD
$d10 << EOD
102714 3693.62444
124439808 1412.48107
EOD
$d11 << EOD
102714 3931.54426
124439808 1124.42677
EOD
$d12 << EOD
102714 3946.62632
124439808 934.461631
EOD
$d13 << EOD
102714 2708.39694
124439808 711.357527
EOD
$d14 << EOD
102714 1728.84567
124439808 500.050293
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
