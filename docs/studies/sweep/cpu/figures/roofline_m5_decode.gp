set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m5_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'gpt2-medium: decode, decode_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 1.01127093 0.977208747 1.0453331
0.97 1.02792747 1.0025277 1.05332724
1.97 1.37339493 1.35656323 1.39022664
EOD
$d1 << EOD
0.03 1.35017882 1.32534414 1.3750135
1.03 1.51522293 1.33464613 1.69579972
2.03 1.80502151 1.76911461 1.84092841
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
